package io.memquorum.autoconfigure.session;

import java.time.Duration;

import io.memquorum.session.SessionStoreUnavailableException;
import org.jspecify.annotations.Nullable;

/**
 * What both the servlet and the reactive filter answer when the session store is
 * unavailable, kept apart from either so that neither stack needs the other's API (a
 * WebFlux application has no servlet API on its classpath).
 */
final class SessionStoreUnavailableAnswer {

	/** The one line a client reads. */
	static final String EXPLANATION = "The session store cannot save changes right now (too few memcached nodes "
			+ "answer); please retry shortly.\n";

	private SessionStoreUnavailableAnswer() {
	}

	/**
	 * What {@code Retry-After} says.
	 * @param retryAfter the configured duration
	 * @return whole seconds, at least one
	 */
	static String retryAfterSeconds(Duration retryAfter) {
		if (retryAfter == null || retryAfter.isNegative()) {
			throw new IllegalArgumentException("retryAfter must not be null or negative, got " + retryAfter);
		}
		return Long.toString(Math.max(1, retryAfter.toSeconds()));
	}

	/**
	 * The store's unavailability behind a failure, if that is what it is.
	 * @param failure what a request raised
	 * @return the {@link SessionStoreUnavailableException} in its causes, or {@code null}
	 */
	static @Nullable SessionStoreUnavailableException find(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof SessionStoreUnavailableException unavailable) {
				return unavailable;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return null;
	}

}
