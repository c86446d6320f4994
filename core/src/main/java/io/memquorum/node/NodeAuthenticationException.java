package io.memquorum.node;

/**
 * A memcached node refused the configured username and password when the connection was
 * opened. Thrown at startup, so a wrong password stops the application with this message
 * instead of showing up later as misses.
 */
public class NodeAuthenticationException extends RuntimeException {

	private final NodeAddress node;

	NodeAuthenticationException(NodeAddress node, String message) {
		super(node + " " + message);
		this.node = node;
	}

	public NodeAddress getNode() {
		return this.node;
	}

}
