package io.memquorum.node;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One occurrence of trouble, shared by every command it failed: all the timeouts of one
 * scan share one, and it says whether the scan blamed this JVM rather than the nodes.
 *
 * @param id unique within this JVM
 * @param clientSuspected whether the event looks like this JVM stalled (every node timed
 * out at the same instant, or the timeout scan itself ran late) rather than the node
 */
public record FailureEvent(long id, boolean clientSuspected) {

	private static final AtomicLong ids = new AtomicLong();

	/**
	 * A new event.
	 * @param clientSuspected whether this JVM, not the node, is the likely cause
	 * @return the event
	 */
	public static FailureEvent next(boolean clientSuspected) {
		return new FailureEvent(ids.incrementAndGet(), clientSuspected);
	}

}
