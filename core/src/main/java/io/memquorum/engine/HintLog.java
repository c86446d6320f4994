package io.memquorum.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The writes and deletes one node missed, kept so they can be replayed when it returns.
 *
 * <p>
 * Only the newest missed envelope per key is kept: replay writes it only where it is
 * newer than what the node holds, so older ones add nothing. The log is bounded; once a
 * hint has to be dropped the log is marked overflowed, and the node must be flushed
 * before it serves reads, because it may hold a value that a forgotten delete should have
 * removed.
 */
final class HintLog {

	private final int capacity;

	private final ConcurrentMap<String, Envelope> hints = new ConcurrentHashMap<>();

	private final AtomicBoolean overflowed = new AtomicBoolean();

	HintLog(int capacity) {
		this.capacity = capacity;
	}

	/**
	 * Remember a missed write.
	 * @param key the memcached key
	 * @param envelope what the node should hold
	 * @return {@code false} when the log was full and the hint was dropped
	 */
	boolean add(String key, Envelope envelope) {
		if (this.hints.size() >= this.capacity && !this.hints.containsKey(key)) {
			this.overflowed.set(true);
			return false;
		}
		this.hints.merge(key, envelope, (old, added) -> added.supersedes(old) ? added : old);
		return true;
	}

	/**
	 * A batch of hints to replay, oldest first is not promised: versions make order
	 * irrelevant.
	 * @param max the batch size
	 * @return up to {@code max} hints
	 */
	List<Hint> batch(int max) {
		List<Hint> batch = new ArrayList<>(Math.min(max, this.hints.size()));
		for (var entry : this.hints.entrySet()) {
			if (batch.size() == max) {
				break;
			}
			batch.add(new Hint(entry.getKey(), entry.getValue()));
		}
		return batch;
	}

	/**
	 * Forget a hint once replayed, unless a newer one for the key arrived meanwhile.
	 * @param hint the replayed hint
	 */
	void replayed(Hint hint) {
		this.hints.remove(hint.key(), hint.envelope());
	}

	int size() {
		return this.hints.size();
	}

	boolean isEmpty() {
		return this.hints.isEmpty() && !this.overflowed.get();
	}

	boolean isOverflowed() {
		return this.overflowed.get();
	}

	/**
	 * Forget everything: the node was flushed or found restarted empty, so it holds
	 * nothing stale. Hints still matter for an empty node (they restore writes it
	 * missed), so only the overflow mark is cleared.
	 */
	void clearOverflow() {
		this.overflowed.set(false);
	}

	record Hint(String key, Envelope envelope) {

	}

}
