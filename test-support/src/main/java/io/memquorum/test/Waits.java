package io.memquorum.test;

/**
 * Short pauses between polls of an external process, which offers nothing to block on
 * while it starts, binds its port or changes state.
 */
final class Waits {

	private Waits() {
	}

	static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for memcached", ex);
		}
	}

}
