package io.memquorum.discovery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

import org.jspecify.annotations.Nullable;

/**
 * Questions to DNS itself, through the JDK's JNDI DNS provider: no JVM cache is involved,
 * every call asks the server. With no server configured the provider asks the servers the
 * operating system uses.
 */
final class DnsQuery {

	private final @Nullable String server;

	private final Duration timeout;

	/**
	 * @param server {@code host:port} of the DNS server to ask, or {@code null} for the
	 * system's servers
	 * @param timeout how long one question may take
	 */
	DnsQuery(@Nullable String server, Duration timeout) {
		this.server = server;
		this.timeout = timeout;
	}

	boolean usesSystemServers() {
		return this.server == null;
	}

	/**
	 * The A and AAAA addresses of a name.
	 * @param name an absolute name
	 * @return the addresses; empty when the name exists without any
	 * @throws NameNotFoundException when the name does not exist
	 * @throws NamingException when the server cannot be asked or does not answer
	 */
	List<InetAddress> addresses(String name) throws NamingException {
		List<InetAddress> addresses = new ArrayList<>();
		for (String value : values(name, "A", "AAAA")) {
			try {
				// A literal: parsed, never looked up.
				addresses.add(InetAddress.getByName(value));
			}
			catch (UnknownHostException ex) {
				throw new NamingException("DNS answered '" + value + "' for " + name + ", not an address");
			}
		}
		return addresses;
	}

	/**
	 * The SRV records of a name.
	 * @param name an absolute name
	 * @return the records' targets, without the final dot, and ports
	 * @throws NameNotFoundException when the name does not exist
	 * @throws NamingException when the server cannot be asked or does not answer
	 */
	List<SrvTarget> services(String name) throws NamingException {
		List<SrvTarget> targets = new ArrayList<>();
		for (String value : values(name, "SRV")) {
			// priority weight port target: memcached nodes are all members, whatever
			// their priority or weight.
			String[] fields = value.trim().split("\\s+");
			if (fields.length != 4) {
				throw new NamingException("DNS answered a SRV record '" + value + "' for " + name
						+ ", not 'priority weight port target'");
			}
			String target = fields[3].endsWith(".") ? fields[3].substring(0, fields[3].length() - 1) : fields[3];
			int port;
			try {
				port = Integer.parseInt(fields[2]);
			}
			catch (NumberFormatException ex) {
				throw new NamingException("DNS answered a SRV record '" + value + "' for " + name + " with no port");
			}
			if (target.isEmpty() || port < 1 || port > 65535) {
				// "." as target means: no such service here (RFC 2782).
				continue;
			}
			targets.add(new SrvTarget(target.toLowerCase(Locale.ROOT), port));
		}
		return targets;
	}

	private List<String> values(String name, String... types) throws NamingException {
		DirContext context = new InitialDirContext(environment());
		try {
			Attributes attributes = context.getAttributes(name, types);
			List<String> values = new ArrayList<>();
			for (String type : types) {
				Attribute attribute = attributes.get(type);
				if (attribute == null) {
					continue;
				}
				NamingEnumeration<?> all = attribute.getAll();
				while (all.hasMore()) {
					values.add(String.valueOf(all.next()));
				}
			}
			return values;
		}
		finally {
			context.close();
		}
	}

	private Hashtable<String, String> environment() {
		Hashtable<String, String> environment = new Hashtable<>();
		environment.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
		environment.put(Context.PROVIDER_URL, (this.server != null) ? "dns://" + this.server : "dns:");
		environment.put("com.sun.jndi.dns.timeout.initial", Long.toString(Math.max(1, this.timeout.toMillis())));
		// One try: the discovery loop asks again at its next round.
		environment.put("com.sun.jndi.dns.timeout.retries", "1");
		return environment;
	}

	@Override
	public String toString() {
		return (this.server != null) ? this.server : "the system's DNS servers";
	}

	/**
	 * One SRV record's target and port.
	 *
	 * @param target the target host name, lower case, without the final dot
	 * @param port the port
	 */
	record SrvTarget(String target, int port) {
	}

}
