package io.memquorum.engine;

import org.jspecify.annotations.Nullable;

/** Receives the replies of one write sent to several nodes. */
interface WriteReplies {

	/**
	 * A node answered.
	 * @param node the node
	 * @param stored the envelope it stored, or {@code null} when it declined
	 */
	void answered(Node node, @Nullable Envelope stored);

	/**
	 * A node failed, or was skipped because it is marked down.
	 * @param node the node
	 * @param reason what happened
	 */
	void failed(Node node, @Nullable String reason);

}
