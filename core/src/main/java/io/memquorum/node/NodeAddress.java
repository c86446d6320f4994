package io.memquorum.node;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.jspecify.annotations.Nullable;

/**
 * The {@code host:port} of one memcached node, as configured. Its string form is the
 * node's identity everywhere: in placement, in metrics tags and in error messages. A
 * {@link HostLookup} decides where a named node is reached now; it is not part of the
 * identity, so a node keeps its place when its name moves to a new address.
 *
 * @param host the host name or IP address
 * @param port the TCP port
 * @param lookup where the host name is reached now, or {@code null} for the JVM's
 * resolution
 */
public record NodeAddress(String host, int port, @Nullable HostLookup lookup) implements Comparable<NodeAddress> {

	public NodeAddress {
		if (host.isBlank()) {
			throw new IllegalArgumentException("Host must not be blank");
		}
		if (port < 1 || port > 65535) {
			throw new IllegalArgumentException("Port must be between 1 and 65535, got " + port);
		}
	}

	public NodeAddress(String host, int port) {
		this(host, port, null);
	}

	/**
	 * The same node, reached through a lookup.
	 * @param lookup where its host name is reached now
	 * @return the node with the lookup
	 */
	public NodeAddress lookedUpBy(@Nullable HostLookup lookup) {
		return new NodeAddress(this.host, this.port, lookup);
	}

	/**
	 * Parse {@code host:port}; an IPv6 literal is written {@code [::1]:11211}.
	 * @param text the address
	 * @return the parsed address
	 * @throws IllegalArgumentException with the offending text when it is not
	 * {@code host:port}
	 */
	public static NodeAddress parse(String text) {
		String trimmed = text.trim();
		int colon = trimmed.lastIndexOf(':');
		if (colon <= 0 || colon == trimmed.length() - 1) {
			throw new IllegalArgumentException(
					"'" + text + "' is not a memcached node address: expected host:port, for example 127.0.0.1:11211");
		}
		String host = trimmed.substring(0, colon);
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		else if (host.contains(":")) {
			throw new IllegalArgumentException("'" + text
					+ "' is not a memcached node address: write an IPv6 host in brackets, for example [::1]:11211");
		}
		int port;
		try {
			port = Integer.parseInt(trimmed.substring(colon + 1));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(
					"'" + text + "' is not a memcached node address: the port must be a number", ex);
		}
		try {
			return new NodeAddress(host, port);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("'" + text + "' is not a memcached node address: " + ex.getMessage(),
					ex);
		}
	}

	/**
	 * Where to connect now: the lookup's address for the host name when it knows one,
	 * else the name resolved by the JVM.
	 * @return the socket address
	 */
	public InetSocketAddress toSocketAddress() {
		InetAddress current = (this.lookup != null) ? this.lookup.addressOf(this.host) : null;
		return (current != null) ? new InetSocketAddress(current, this.port)
				: new InetSocketAddress(this.host, this.port);
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return other instanceof NodeAddress that && this.port == that.port && this.host.equals(that.host);
	}

	@Override
	public int hashCode() {
		return 31 * this.host.hashCode() + this.port;
	}

	@Override
	public int compareTo(NodeAddress other) {
		return toString().compareTo(other.toString());
	}

	@Override
	public String toString() {
		return (this.host.contains(":") ? "[" + this.host + "]" : this.host) + ":" + this.port;
	}

}
