package io.memquorum.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import io.memquorum.engine.MemquorumException;
import io.memquorum.engine.ReplicatedMemcached;
import org.jspecify.annotations.Nullable;

/**
 * A load lease across application instances, for {@code get(key, loader)}: the first
 * instance takes {@code P N::#lease:K} with an {@code add} carrying a random token and
 * loads; the others poll the cache until the value appears or the lease expires, then
 * load themselves. The holder releases the lease with
 * {@link ReplicatedMemcached#deleteIfHolds}: only while the key still holds its own token
 * (a lease that expired and was taken by another instance stays theirs), and with a
 * one-second absent marker rather than a tombstone that would stay for a day.
 */
final class LoadLease {

	private final ReplicatedMemcached engine;

	private final Duration ttl;

	private final CacheProblems problems;

	private final CacheStatistics statistics;

	LoadLease(ReplicatedMemcached engine, Duration ttl, CacheProblems problems, CacheStatistics statistics) {
		this.engine = engine;
		this.ttl = ttl;
		this.problems = problems;
		this.statistics = statistics;
	}

	/**
	 * Load under the lease, or wait for the holder's value.
	 * @param leaseKey the lease's key
	 * @param cached reads the cache: the store value, or {@code null} on a miss
	 * @param load loads and stores: the store value
	 * @return the store value
	 */
	@Nullable Object loadOrWait(String leaseKey, Supplier<@Nullable Object> cached, Supplier<@Nullable Object> load) {
		byte[] token = token();
		boolean leased;
		try {
			leased = this.engine.add(leaseKey, token, this.ttl);
		}
		catch (MemquorumException ex) {
			this.problems.degraded("lease", ex);
			return load.get();
		}
		if (leased) {
			try {
				return load.get();
			}
			finally {
				release(leaseKey, token);
			}
		}
		this.statistics.recordLeaseWait();
		long deadline = System.nanoTime() + this.ttl.toNanos();
		long pollNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(5),
				Math.min(TimeUnit.MILLISECONDS.toNanos(50), this.ttl.toNanos() / 20));
		while (System.nanoTime() - deadline < 0) {
			LockSupport.parkNanos(pollNanos);
			if (Thread.currentThread().isInterrupted()) {
				throw new MemquorumException("Interrupted while waiting for another instance's load",
						new InterruptedException());
			}
			Object stored = cached.get();
			if (stored != null) {
				return stored;
			}
		}
		return load.get();
	}

	private void release(String leaseKey, byte[] token) {
		try {
			this.engine.deleteIfHolds(leaseKey, token);
		}
		catch (MemquorumException ex) {
			// The lease expires by itself.
			this.problems.degraded("lease release", ex);
		}
	}

	private static byte[] token() {
		return Long.toHexString(ThreadLocalRandom.current().nextLong()).getBytes(StandardCharsets.US_ASCII);
	}

}
