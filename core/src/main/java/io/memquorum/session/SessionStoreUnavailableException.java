package io.memquorum.session;

import io.memquorum.engine.MemquorumException;
import io.memquorum.engine.QuorumNotReachedException;

/**
 * No memcached replica could answer a session lookup. Raised instead of returning no
 * session, which would log the user out silently; see
 * {@link ReplicatedSessionRepository#setDegradeWhenUnreachable(boolean)} to treat it as
 * an absent session instead.
 */
public class SessionStoreUnavailableException extends MemquorumException {

	public SessionStoreUnavailableException(String message, QuorumNotReachedException cause) {
		super(message + ": " + cause.getMessage(), cause);
	}

}
