package io.memquorum.discovery;

/**
 * A server entry that gave no node when the application started: the engine cannot start
 * without knowing every entry's nodes once.
 */
public class DiscoveryException extends RuntimeException {

	public DiscoveryException(String message) {
		super(message);
	}

}
