package io.memquorum.engine;

/**
 * Base of every exception that memquorum raises on purpose.
 */
public class MemquorumException extends RuntimeException {

	public MemquorumException(String message) {
		super(message);
	}

	public MemquorumException(String message, Throwable cause) {
		super(message, cause);
	}

}
