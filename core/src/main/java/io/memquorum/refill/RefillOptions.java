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
 * @param adaptive whether the entry rate follows the foreground latency
 * ({@link AdaptivePace}), up to {@code entriesPerSecond}; otherwise refill copies at
 * {@code entriesPerSecond}
 * @param latencyFactor with {@code adaptive}, how many times its value before the refill
 * the foreground p99 may reach; more than 1
 */
public record RefillOptions(boolean enabled, long entriesPerSecond, long bytesPerSecond, Duration checkInterval,
		Duration leaseTtl, Duration listingTimeout, boolean adaptive, double latencyFactor) {

	public static final RefillOptions DEFAULTS = new RefillOptions(true, 200_000, 256L * 1024 * 1024,
			Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(10), true, 2.0);

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
		if (leaseTtl.toMillis() < 1000) {
			throw new IllegalArgumentException(
					"Refill lease TTL must be at least 1 s (memcached counts lifetimes in seconds), got " + leaseTtl);
		}
	}

	private static void positive(String name, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(name + " must be positive, got " + value);
		}
	}

}
