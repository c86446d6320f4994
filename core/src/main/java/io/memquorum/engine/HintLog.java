package io.memquorum.engine;

import java.time.Duration;
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
 * value, so a key count alone could fill the heap with large values).
 *
 * <h2>Overflow</h2> Once a hint has to be dropped the log is overflowed: the node may
 * hold a value that a forgotten write or delete should have replaced, for any key, so it
 * serves no reads. It is brought up to date by a verifying refill, which compares every
 * key it should hold with its peers, or by a flush when a forgotten delete may be older
 * than a tombstone lives ({@link #requireFlush}). Either covers only what was dropped
 * before it started: drops are counted, each cure takes the count as it starts
 * ({@link #coverFromNow}) and clears the overflow only when no drop came after
 * ({@link #covered}), so a hint dropped while a verification runs asks for another.
 */
final class HintLog {

	/** What a hint costs beyond its key and payload: the envelope header and the map. */
	private static final int HINT_OVERHEAD = 96;

	private final int capacity;

	private final long maxBytes;

	private final ConcurrentMap<String, Envelope> hints = new ConcurrentHashMap<>();

	private final AtomicLong bytes = new AtomicLong();

	/** Hints dropped since the log was created. */
	private final AtomicLong drops = new AtomicLong();

	/** Drops that a flush, a restart or a verifying refill made up for. */
	private final AtomicLong covered = new AtomicLong();

	/**
	 * {@link System#nanoTime()} of the oldest drop not yet covered (or no later than it):
	 * once that drop is older than a tombstone lives, no verification can replay a delete
	 * dropped then. Guarded by {@code this}; read only while drops exceed
	 * {@link #covered}.
	 */
	private long overflowedSinceNanos;

	/** Set when only a flush can bring the node up to date. */
	private final AtomicBoolean flushRequired = new AtomicBoolean();

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
			dropped();
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
		return this.hints.isEmpty() && !isOverflowed();
	}

	/**
	 * Whether the node missed writes this log could not keep, or must be flushed: it may
	 * be stale for any key.
	 * @return whether the node serves no reads until verified or flushed
	 */
	boolean isOverflowed() {
		return this.flushRequired.get() || this.drops.get() > this.covered.get();
	}

	/**
	 * Whether the node may be stale for this key: it missed a write of it not yet
	 * replayed, or missed writes that the log could not keep.
	 * @param key the memcached key
	 * @return whether reads of the key must not use the node
	 */
	boolean owes(String key) {
		return isOverflowed() || this.hints.containsKey(key);
	}

	/**
	 * Whether the overflow began longer ago than {@code tombstoneTtl}: a delete dropped
	 * then has no tombstone left on any peer, so no verification can replay it.
	 * @param tombstoneTtl how long a tombstone lives
	 * @return whether the oldest uncovered drop is that old
	 */
	synchronized boolean overflowedLongerThan(Duration tombstoneTtl) {
		return this.drops.get() > this.covered.get()
				&& System.nanoTime() - this.overflowedSinceNanos > tombstoneTtl.toNanos();
	}

	/**
	 * The node may hold values whose deletes no peer remembers (it was down longer than a
	 * tombstone lives, or a remembered delete's tombstone expired): it serves no reads
	 * until flushed.
	 */
	void requireFlush() {
		this.flushRequired.set(true);
	}

	boolean flushRequired() {
		return this.flushRequired.get();
	}

	/**
	 * What the log dropped so far, to be made up for by something that starts now: a
	 * flush, or a verifying refill whose listing starts after this call.
	 * @return what to pass to {@link #covered} once that is done
	 */
	Coverage coverFromNow() {
		return new Coverage(this.drops.get(), System.nanoTime());
	}

	/**
	 * Clear the overflow up to what {@code coverage} took: the node was flushed, found
	 * restarted empty, or verified against its peers. A drop that came later keeps the
	 * log overflowed. Hints still matter (they restore writes missed meanwhile), so they
	 * are kept.
	 * @param coverage taken as the cure started
	 */
	synchronized void covered(Coverage coverage) {
		long now = this.covered.accumulateAndGet(coverage.drops(), Math::max);
		if (this.drops.get() > now && coverage.atNanos() - this.overflowedSinceNanos > 0) {
			// The drops left came after the cure started: dating them from its start errs
			// toward a flush, never away from one.
			this.overflowedSinceNanos = coverage.atNanos();
		}
	}

	/**
	 * Clear what a flush made up for: a flush, unlike a verification, also forgets the
	 * deletes that only a flush could apply.
	 * @param coverage taken before the flush was sent
	 */
	void flushed(Coverage coverage) {
		this.flushRequired.set(false);
		covered(coverage);
	}

	private synchronized void dropped() {
		if (this.drops.get() == this.covered.get()) {
			this.overflowedSinceNanos = System.nanoTime();
		}
		this.drops.incrementAndGet();
	}

	private static long sizeOf(String key, Envelope envelope) {
		return (long) key.length() + envelope.payload().length + HINT_OVERHEAD;
	}

	record Hint(String key, Envelope envelope) {

	}

	/**
	 * The drops a flush or verification started at {@code atNanos} makes up for.
	 *
	 * @param drops hints dropped before it started
	 * @param atNanos when it started, {@link System#nanoTime()}
	 */
	record Coverage(long drops, long atNanos) {

	}

}
