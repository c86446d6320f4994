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

	private final FailureEvent event;

	NodeOperationException(NodeAddress node, String message, boolean timeout, boolean unreachable, FailureEvent event,
			@Nullable Throwable cause) {
		super(node + " " + message, cause);
		this.node = node;
		this.timeout = timeout;
		this.unreachable = unreachable;
		this.event = event;
	}

	static NodeOperationException timeout(NodeAddress node, long millis, FailureEvent event, Throwable cause) {
		return new NodeOperationException(node, "timed out after " + millis + " ms", true, true, event, cause);
	}

	static NodeOperationException unreachable(NodeAddress node, String what, @Nullable Throwable cause) {
		return new NodeOperationException(node, what, false, true, FailureEvent.next(false), cause);
	}

	static NodeOperationException errorReply(NodeAddress node, String what, @Nullable Throwable cause) {
		return new NodeOperationException(node, what, false, false, FailureEvent.next(false), cause);
	}

	/**
	 * The failure event this failure belongs to: commands timed out by one scan share
	 * one, so that a single stall counts once.
	 * @return the event
	 */
	public FailureEvent event() {
		return this.event;
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
