package io.memquorum.session;

import io.memquorum.engine.MemquorumException;
import io.memquorum.engine.QuorumNotReachedException;

/**
 * No memcached replica could answer a session lookup, or a change of a session (a save, a
 * sign-in, a logout) cannot reach the write quorum. Raised instead of returning no
 * session, which would log the user out silently; see
 * {@link ReplicatedSessionRepository#setDegradeWhenUnreachable(boolean)} to treat a
 * failed lookup as an absent session instead. The autoconfigured web filter answers it
 * with a 503 and {@code Retry-After}.
 */
public class SessionStoreUnavailableException extends MemquorumException {

	public SessionStoreUnavailableException(String message, QuorumNotReachedException cause) {
		super(message + ": " + cause.getMessage(), cause);
	}

	/**
	 * Raised before anything was sent: the engine already knows too few nodes are up.
	 * @param message what could not be done, and why
	 */
	public SessionStoreUnavailableException(String message) {
		super(message);
	}

}
