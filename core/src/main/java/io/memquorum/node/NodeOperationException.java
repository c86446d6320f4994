package io.memquorum.node;

import org.jspecify.annotations.Nullable;

/**
 * One node failed to answer one command: it timed out, refused the connection, closed it,
 * or replied with an error. The message names the node and says what happened, since it
 * ends up inside a quorum failure that a user reads.
 */
public class NodeOperationException extends RuntimeException {

	private final NodeAddress node;

	private final boolean timeout;

	private final boolean unreachable;

	NodeOperationException(NodeAddress node, String message, boolean timeout, boolean unreachable,
			@Nullable Throwable cause) {
		super(node + " " + message, cause);
		this.node = node;
		this.timeout = timeout;
		this.unreachable = unreachable;
	}

	static NodeOperationException timeout(NodeAddress node, long millis, Throwable cause) {
		return new NodeOperationException(node, "timed out after " + millis + " ms", true, true, cause);
	}

	static NodeOperationException unreachable(NodeAddress node, String what, @Nullable Throwable cause) {
		return new NodeOperationException(node, what, false, true, cause);
	}

	static NodeOperationException errorReply(NodeAddress node, String what, @Nullable Throwable cause) {
		return new NodeOperationException(node, what, false, false, cause);
	}

	public NodeAddress getNode() {
		return this.node;
	}

	/**
	 * Whether the node did not answer within the operation timeout.
	 * @return {@code true} for a timeout
	 */
	public boolean isTimeout() {
		return this.timeout;
	}

	/**
	 * Whether the failure says the node cannot be reached (a timeout, no connection, a
	 * closed connection), as opposed to an error reply to this one command.
	 * @return {@code true} when the node looks unreachable
	 */
	public boolean isUnreachable() {
		return this.unreachable;
	}

}
