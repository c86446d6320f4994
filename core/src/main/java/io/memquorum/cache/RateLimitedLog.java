package io.memquorum.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;

/**
 * Logs a warning at most once per interval and says how many were suppressed in between,
 * so that an outage of memcached does not flood the log with one line per cache call.
 */
final class RateLimitedLog {

	private final Logger logger;

	private final long intervalNanos;

	private final LongSupplier nanoClock;

	private final AtomicLong nextAllowed;

	private final AtomicLong suppressed = new AtomicLong();

	RateLimitedLog(Logger logger, Duration interval) {
		this(logger, interval, System::nanoTime);
	}

	RateLimitedLog(Logger logger, Duration interval, LongSupplier nanoClock) {
		this.logger = logger;
		this.intervalNanos = interval.toNanos();
		this.nanoClock = nanoClock;
		this.nextAllowed = new AtomicLong(nanoClock.getAsLong());
	}

	/**
	 * Log the message unless one was logged less than an interval ago.
	 * @param message the message, without a trailing period
	 * @return whether it was logged
	 */
	boolean warn(String message) {
		long now = this.nanoClock.getAsLong();
		long allowedAt = this.nextAllowed.get();
		if (now - allowedAt < 0 || !this.nextAllowed.compareAndSet(allowedAt, now + this.intervalNanos)) {
			this.suppressed.incrementAndGet();
			return false;
		}
		long skipped = this.suppressed.getAndSet(0);
		if (skipped > 0) {
			this.logger.warn("{} ({} similar messages suppressed)", message, skipped);
		}
		else {
			this.logger.warn(message);
		}
		return true;
	}

}
