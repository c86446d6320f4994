package io.memquorum.refill;

import java.time.Duration;

/**
 * How refill behaves; see {@link io.memquorum.engine.ReplicatedMemcached.Builder}.
 *
 * @param enabled whether nodes are refilled at all
 * @param entriesPerSecond the most entries copied per second, per application instance
 * @param bytesPerSecond the most bytes (as memcached sizes them) copied per second
 * @param checkInterval how often each node is checked for its completeness marker
 * @param leaseTtl how long a refill lease outlives its holder's last renewal
 * @param listingTimeout how long a peer may stall while listing its keys
 * @param heapLimit the most heap, in bytes, one refill run takes, whatever the node's
 * size (see {@link RefillRun})
 * @param adaptive whether the entry rate follows the foreground latency
 * ({@link AdaptivePace}), up to {@code entriesPerSecond}; otherwise refill copies at
 * {@code entriesPerSecond}
 * @param latencyFactor with {@code adaptive}, how many times its value before the refill
 * the foreground p99 may reach; more than 1
 */
public record RefillOptions(boolean enabled, long entriesPerSecond, long bytesPerSecond, Duration checkInterval,
		Duration leaseTtl, Duration listingTimeout, long heapLimit, boolean adaptive, double latencyFactor) {

	/** The smallest heap limit: room for one batch of large entries. */
	public static final long MIN_HEAP_LIMIT = 1024 * 1024;

	/** The shortest lease TTL: memcached may end an item's lifetime a second early. */
	public static final Duration MIN_LEASE_TTL = Duration.ofSeconds(2);

	public static final RefillOptions DEFAULTS = new RefillOptions(true, 200_000, 256L * 1024 * 1024,
			Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(10), 64L * 1024 * 1024, true, 2.0);

	public RefillOptions {
		if (entriesPerSecond <= 0) {
			throw new IllegalArgumentException("Refill entries per second must be positive, got " + entriesPerSecond);
		}
		if (bytesPerSecond <= 0) {
			throw new IllegalArgumentException("Refill bytes per second must be positive, got " + bytesPerSecond);
		}
		if (!(latencyFactor > 1) || Double.isInfinite(latencyFactor)) {
			throw new IllegalArgumentException("Refill latency factor must be more than 1, got " + latencyFactor);
		}
		positive("Refill check interval", checkInterval);
		positive("Refill lease TTL", leaseTtl);
		positive("Refill listing timeout", listingTimeout);
		if (leaseTtl.compareTo(MIN_LEASE_TTL) < 0) {
			throw new IllegalArgumentException("Refill lease TTL must be at least 2 s (memcached counts lifetimes in "
					+ "whole seconds and may end one a second early), got " + leaseTtl);
		}
		if (heapLimit < MIN_HEAP_LIMIT) {
			throw new IllegalArgumentException("Refill heap limit must be at least 1 MB, got " + heapLimit + " bytes");
		}
	}

	private static void positive(String name, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(name + " must be positive, got " + value);
		}
	}

}
