package io.memquorum.cache;

import java.util.concurrent.atomic.LongAdder;

/**
 * What one cache counted since it was created: the numbers behind the {@code cache.gets},
 * {@code cache.puts} and {@code cache.evictions} meters, and the failures that the cache
 * absorbed.
 */
public final class CacheStatistics {

	private final LongAdder hits = new LongAdder();

	private final LongAdder misses = new LongAdder();

	private final LongAdder puts = new LongAdder();

	private final LongAdder evictions = new LongAdder();

	private final LongAdder unreadable = new LongAdder();

	private final LongAdder degraded = new LongAdder();

	private final LongAdder oversized = new LongAdder();

	private final LongAdder leaseWaits = new LongAdder();

	void recordHit() {
		this.hits.increment();
	}

	void recordMiss() {
		this.misses.increment();
	}

	void recordPut() {
		this.puts.increment();
	}

	void recordEviction() {
		this.evictions.increment();
	}

	void recordUnreadable() {
		this.unreadable.increment();
	}

	void recordDegraded() {
		this.degraded.increment();
	}

	void recordOversized() {
		this.oversized.increment();
	}

	void recordLeaseWait() {
		this.leaseWaits.increment();
	}

	public long hits() {
		return this.hits.sum();
	}

	public long misses() {
		return this.misses.sum();
	}

	public long puts() {
		return this.puts.sum();
	}

	public long evictions() {
		return this.evictions.sum();
	}

	/**
	 * Entries that were found but could not be deserialized (the class changed, it is not
	 * allowed, or the bytes are corrupt) and were read as misses.
	 * @return the count
	 */
	public long unreadable() {
		return this.unreadable.sum();
	}

	/**
	 * Reads and writes that memcached could not serve (no quorum, timeouts) and that the
	 * cache passed through: a read became a miss, a write was skipped.
	 * @return the count
	 */
	public long degraded() {
		return this.degraded.sum();
	}

	/**
	 * Values too large for memcached's item size limit, which were not cached.
	 * @return the count
	 */
	public long oversized() {
		return this.oversized.sum();
	}

	/**
	 * Loads that waited for another application instance holding the key's lease.
	 * @return the count
	 */
	public long leaseWaits() {
		return this.leaseWaits.sum();
	}

	@Override
	public String toString() {
		return "CacheStatistics[hits=" + hits() + ", misses=" + misses() + ", puts=" + puts() + ", evictions="
				+ evictions() + ", unreadable=" + unreadable() + ", degraded=" + degraded() + ", oversized="
				+ oversized() + "]";
	}

}
