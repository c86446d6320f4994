package io.memquorum.session;

import io.memquorum.engine.MemquorumException;

/**
 * A session attribute could not be serialized, or stored bytes could not be read back:
 * the class changed in a deploy, is not allowed, or the bytes are corrupt. When reading,
 * the repository turns it into an absent session; it never reaches the caller.
 */
public class SessionSerializationException extends MemquorumException {

	public SessionSerializationException(String message) {
		super(message);
	}

	public SessionSerializationException(String message, Throwable cause) {
		super(message, cause);
	}

}
