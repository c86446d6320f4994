package io.memquorum.node;

import java.net.InetSocketAddress;

/**
 * The {@code host:port} of one memcached node, as configured. Its string form is the
 * node's identity everywhere: in placement, in metrics tags and in error messages.
 *
 * @param host the host name or IP address
 * @param port the TCP port
 */
public record NodeAddress(String host, int port) implements Comparable<NodeAddress> {

	public NodeAddress {
		if (host.isBlank()) {
			throw new IllegalArgumentException("Host must not be blank");
		}
		if (port < 1 || port > 65535) {
			throw new IllegalArgumentException("Port must be between 1 and 65535, got " + port);
		}
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

	public InetSocketAddress toSocketAddress() {
		return new InetSocketAddress(this.host, this.port);
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
