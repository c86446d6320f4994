package io.memquorum.refill;

import io.memquorum.engine.EntryMerge;
import io.memquorum.engine.Envelope;
import org.jspecify.annotations.Nullable;

/**
 * What refill stores on a node, given the newest copy its peers hold and what the node
 * holds: the rule that lets a copy never undo a write or a delete.
 */
final class CopyRule {

	private CopyRule() {
	}

	/**
	 * What to store on a node that holds {@code current}, given the newest {@code copy}
	 * its peers hold. A key whose store registered a merge takes the merge of both: a
	 * merge is a join, so it keeps what only the node's own copy holds, such as a session
	 * listed in an index item that a sign-in wrote on the node before refill reached it.
	 * Any other key follows {@link #copies}.
	 * @param copy the newest envelope the peers hold
	 * @param current what the node holds, or {@code null}
	 * @param merge the key's own merge, or {@code null} when it has none
	 * @return the envelope to store, or {@code null} to leave the node as it is
	 */
	static @Nullable Envelope decide(Envelope copy, @Nullable Envelope current, @Nullable EntryMerge merge) {
		if (merge != null) {
			return merge.merge(current, copy);
		}
		return copies(copy, current) ? copy : null;
	}

	/**
	 * The refill rule for keys without a merge of their own: whether to store
	 * {@code copy} on a node that holds {@code current}. Where the node holds nothing,
	 * always. Where it holds something older, only when a delete is involved: a tombstone
	 * replaces an older value (a deleted key must not be readable again), and a value
	 * replaces an older tombstone (the key was written again after the delete). A value
	 * never replaces another value: the node's copy may carry {@code update} merges that
	 * the newer-versioned copy lacks, since concurrent updates merge into each replica's
	 * own copy; stale values are left to hints and read repair, as before refill.
	 * @param copy the newest envelope the peers hold
	 * @param current what the node holds, or {@code null}
	 * @return whether to store the copy
	 */
	static boolean copies(Envelope copy, @Nullable Envelope current) {
		if (current == null) {
			return true;
		}
		if (!copy.supersedes(current)) {
			return false;
		}
		return copy.isTombstone() || current.isTombstone();
	}

}
