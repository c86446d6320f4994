package io.memquorum.discovery;

import java.util.Locale;

import io.memquorum.node.NodeAddress;

/**
 * One entry of the server list: a fixed {@code host:port}, {@code dns+name:port} for
 * every address the name resolves to, or {@code dnssrv+name} for the targets and ports of
 * the name's SRV records.
 */
public sealed interface ServerEntry {

	/** The prefix of an entry that stands for every A and AAAA address of a name. */
	String DNS = "dns+";

	/** The prefix of an entry that stands for the targets of a name's SRV records. */
	String DNS_SRV = "dnssrv+";

	/**
	 * Whether resolving this entry can give a different answer later.
	 * @return {@code false} for a fixed {@code host:port}
	 */
	boolean isDynamic();

	/**
	 * Parse one entry.
	 * @param text the entry as configured
	 * @return the entry
	 * @throws IllegalArgumentException with the offending text when it is none of the
	 * three forms
	 */
	static ServerEntry parse(String text) {
		String trimmed = text.trim();
		String lower = trimmed.toLowerCase(Locale.ROOT);
		if (lower.startsWith(DNS_SRV)) {
			String name = trimmed.substring(DNS_SRV.length());
			if (name.isEmpty() || name.contains(":") || name.contains("/") || name.contains(" ")) {
				throw new IllegalArgumentException("'" + text
						+ "' is not a SRV entry: expected dnssrv+name without a port (the SRV records give the"
						+ " ports), for example dnssrv+_memcache._tcp.memcached.default.svc.cluster.local");
			}
			return new Srv(name);
		}
		if (lower.startsWith(DNS)) {
			NodeAddress address;
			try {
				address = NodeAddress.parse(trimmed.substring(DNS.length()));
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException(
						"'" + text + "' is not a DNS entry: expected dns+name:port, for example dns+memcached:11211",
						ex);
			}
			return new Dns(address.host(), address.port());
		}
		if (trimmed.contains("+") && trimmed.indexOf('+') < trimmed.indexOf(':')) {
			throw new IllegalArgumentException("'" + text + "' has an unknown prefix: expected host:port, " + DNS
					+ "name:port or " + DNS_SRV + "name");
		}
		return new Fixed(NodeAddress.parse(trimmed));
	}

	/**
	 * A node listed by address, resolved by the JVM when connecting, as without
	 * discovery.
	 *
	 * @param address the node
	 */
	record Fixed(NodeAddress address) implements ServerEntry {

		@Override
		public boolean isDynamic() {
			return false;
		}

		@Override
		public String toString() {
			return this.address.toString();
		}

	}

	/**
	 * Every address a name resolves to, each a node on the same port.
	 *
	 * @param name the host name
	 * @param port the port of every node
	 */
	record Dns(String name, int port) implements ServerEntry {

		@Override
		public boolean isDynamic() {
			return true;
		}

		@Override
		public String toString() {
			return DNS + new NodeAddress(this.name, this.port);
		}

	}

	/**
	 * The targets of a name's SRV records, each a node named by its target and port.
	 *
	 * @param name the SRV name, for example {@code _memcache._tcp.mc.default.svc}
	 */
	record Srv(String name) implements ServerEntry {

		@Override
		public boolean isDynamic() {
			return true;
		}

		@Override
		public String toString() {
			return DNS_SRV + this.name;
		}

	}

}
