package io.memquorum.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The writes and deletes one node missed, kept so they can be replayed when it returns.
 *
 * <p>
 * One envelope per key is kept: the newest, or for keys with their own {@link EntryMerge}
 * the merge of every missed one; replay writes it with the same rule, so order is
 * irrelevant. The log is bounded both in keys and in bytes (each hint holds a whole
 * value, so a key count alone could fill the heap with large values); once a hint has to
 * be dropped the log is marked overflowed, and the node must be flushed before it serves
 * reads, because it may hold a value that a forgotten delete should have removed.
 */
final class HintLog {

	/** What a hint costs beyond its key and payload: the envelope header and the map. */
	private static final int HINT_OVERHEAD = 96;

	private final int capacity;

	private final long maxBytes;

	private final ConcurrentMap<String, Envelope> hints = new ConcurrentHashMap<>();

	private final AtomicLong bytes = new AtomicLong();

	private final AtomicBoolean overflowed = new AtomicBoolean();

	HintLog(int capacity, long maxBytes) {
		this.capacity = capacity;
		this.maxBytes = maxBytes;
	}

	/**
	 * Remember a missed write.
	 * @param key the memcached key
	 * @param envelope what the node should hold
	 * @param merge how two hints of the key combine
	 * @return {@code false} when the log was full and the hint was dropped
	 */
	boolean add(String key, Envelope envelope, EntryMerge merge) {
		long size = sizeOf(key, envelope);
		boolean known = this.hints.containsKey(key);
		if ((!known && this.hints.size() >= this.capacity) || this.bytes.get() + size > this.maxBytes) {
			this.overflowed.set(true);
			return false;
		}
		this.hints.compute(key, (ignored, old) -> {
			Envelope kept = merge.combine(old, envelope);
			if (kept == old) {
				return old;
			}
			this.bytes.addAndGet(sizeOf(key, kept) - ((old != null) ? sizeOf(key, old) : 0));
			return kept;
		});
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
		if (this.hints.remove(hint.key(), hint.envelope())) {
			this.bytes.addAndGet(-sizeOf(hint.key(), hint.envelope()));
		}
	}

	/**
	 * Whether a delete this log remembers can no longer be replayed: its tombstone has
	 * expired, so replaying it writes nothing, and the node would keep the deleted value.
	 * @param nowMillis the wall clock
	 * @return whether some tombstone hint has expired
	 */
	boolean holdsExpiredTombstone(long nowMillis) {
		for (Envelope envelope : this.hints.values()) {
			if (envelope.isTombstone() && envelope.expiresAtMillis() != 0 && envelope.expiresAtMillis() <= nowMillis) {
				return true;
			}
		}
		return false;
	}

	int size() {
		return this.hints.size();
	}

	long bytes() {
		return this.bytes.get();
	}

	boolean isEmpty() {
		return this.hints.isEmpty() && !this.overflowed.get();
	}

	boolean isOverflowed() {
		return this.overflowed.get();
	}

	/**
	 * Whether the node may be stale for this key: it missed a write of it not yet
	 * replayed, or missed writes that the log could not keep.
	 * @param key the memcached key
	 * @return whether reads of the key must not use the node
	 */
	boolean owes(String key) {
		return this.overflowed.get() || this.hints.containsKey(key);
	}

	/** The node must be flushed before it serves reads, as if hints had been dropped. */
	void markOverflowed() {
		this.overflowed.set(true);
	}

	/**
	 * Clear the overflow mark: the node was flushed or found restarted empty, so it holds
	 * nothing stale. Hints still matter for an empty node (they restore writes it
	 * missed), so they are kept.
	 */
	void clearOverflow() {
		this.overflowed.set(false);
	}

	private static long sizeOf(String key, Envelope envelope) {
		return (long) key.length() + envelope.payload().length + HINT_OVERHEAD;
	}

	record Hint(String key, Envelope envelope) {

	}

}
