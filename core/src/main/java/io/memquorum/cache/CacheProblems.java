package io.memquorum.cache;

import java.time.Duration;

import io.memquorum.engine.MemquorumException;
import io.memquorum.engine.ValueTooLargeException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a cache does when memcached cannot serve it or its bytes cannot be read: count it,
 * log it at a limited rate, and pass through or raise as configured.
 */
final class CacheProblems {

	private static final Logger logger = LoggerFactory.getLogger(MemquorumCache.class);

	private final String name;

	private final boolean passThrough;

	private final CacheStatistics statistics;

	private final RateLimitedLog degradedLog = new RateLimitedLog(logger, Duration.ofSeconds(10));

	private final RateLimitedLog unreadableLog = new RateLimitedLog(logger, Duration.ofSeconds(10));

	private final RateLimitedLog oversizedLog = new RateLimitedLog(logger, Duration.ofSeconds(10));

	CacheProblems(String name, boolean passThrough, CacheStatistics statistics) {
		this.name = name;
		this.passThrough = passThrough;
		this.statistics = statistics;
	}

	/**
	 * memcached could not serve an operation: pass it through (counted, logged) or raise.
	 * @throws MemquorumException when pass-through is off
	 */
	void degraded(String operation, MemquorumException ex) {
		if (!this.passThrough) {
			throw ex;
		}
		this.statistics.recordDegraded();
		this.degradedLog.warn("Cache '" + this.name + "' passed a " + operation
				+ " through because memcached could not serve it: " + ex.getMessage());
	}

	void unreadable(@Nullable String reason) {
		this.statistics.recordUnreadable();
		this.unreadableLog
			.warn("Cache '" + this.name + "' read an entry it could not deserialize as a miss: " + reason);
	}

	void oversized(ValueTooLargeException ex) {
		this.statistics.recordOversized();
		this.oversizedLog.warn("Cache '" + this.name + "' did not cache a value of " + ex.getSize()
				+ " bytes, over memcached's item size limit of " + ex.getLimit() + " bytes");
	}

}
