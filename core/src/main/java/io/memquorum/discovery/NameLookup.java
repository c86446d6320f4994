package io.memquorum.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import javax.naming.NameNotFoundException;
import javax.naming.NamingException;

import org.jspecify.annotations.Nullable;

/**
 * Looks names up as the operating system does, hosts file first and then DNS, with the
 * system's search domains, but freshly at every call: the JVM's own lookup keeps answers
 * for {@code networkaddress.cache.ttl}, which would hide a rescheduled pod. With a DNS
 * server configured (a test's, or a cluster's), that server is asked instead of the
 * system's, without search domains. Sources other than files and DNS in
 * {@code nsswitch.conf} (LDAP, mDNS) are not consulted.
 */
final class NameLookup {

	private final HostsFile hostsFile;

	private final DnsQuery dns;

	private final SearchDomains searchDomains;

	NameLookup(HostsFile hostsFile, DnsQuery dns, SearchDomains searchDomains) {
		this.hostsFile = hostsFile;
		this.dns = dns;
		this.searchDomains = searchDomains;
	}

	/**
	 * The lookup of this machine, or of a given DNS server.
	 * @param dnsServer {@code host:port} of the DNS server, or {@code null} for the
	 * system's
	 * @param timeout how long one DNS question may take
	 * @return the lookup
	 */
	static NameLookup of(@Nullable String dnsServer, Duration timeout) {
		SearchDomains domains = (dnsServer != null) ? SearchDomains.NONE
				: SearchDomains.read(Path.of("/etc/resolv.conf"));
		return new NameLookup(HostsFile.system(), new DnsQuery(dnsServer, timeout), domains);
	}

	/**
	 * Every address of a name.
	 * @param name the host name
	 * @return the addresses, never empty
	 * @throws NamingException when no candidate name exists or DNS does not answer
	 */
	List<InetAddress> addresses(String name) throws NamingException {
		for (String candidate : this.searchDomains.candidates(name)) {
			List<InetAddress> fromFile;
			try {
				fromFile = this.hostsFile.addresses(candidate);
			}
			catch (IOException ex) {
				throw new NamingException("Could not read the hosts file: " + ex.getMessage());
			}
			if (!fromFile.isEmpty()) {
				return fromFile;
			}
			try {
				List<InetAddress> fromDns = this.dns.addresses(candidate);
				if (!fromDns.isEmpty()) {
					return fromDns;
				}
			}
			catch (NameNotFoundException ex) {
				// The next candidate, as the C library does.
			}
		}
		throw new NameNotFoundException(name + " has no address in the hosts file or at " + this.dns);
	}

	/**
	 * The SRV records of a name.
	 * @param name the SRV name
	 * @return the targets and ports, never empty
	 * @throws NamingException when no candidate name has SRV records or DNS does not
	 * answer
	 */
	List<DnsQuery.SrvTarget> services(String name) throws NamingException {
		for (String candidate : this.searchDomains.candidates(name)) {
			try {
				List<DnsQuery.SrvTarget> targets = this.dns.services(candidate);
				if (!targets.isEmpty()) {
					return targets;
				}
			}
			catch (NameNotFoundException ex) {
				// The next candidate.
			}
		}
		throw new NameNotFoundException(name + " has no SRV record at " + this.dns);
	}

	@Override
	public String toString() {
		return "the hosts file, then " + this.dns;
	}

}
