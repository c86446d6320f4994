package io.memquorum.refill;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How many items a peer holds, from its {@code stats}, for the progress estimate of a run
 * whose listing streams ({@link RefillProgress#estimateFrom}).
 */
final class RefillEstimate {

	private RefillEstimate() {
	}

	/**
	 * @param peer the peer about to be listed
	 * @param wait how long to wait for its answer
	 * @return its {@code curr_items}, or -1 when it did not say (the estimate is then
	 * what was listed so far)
	 */
	static long itemsOn(RefillNode peer, Duration wait) {
		try {
			String items = peer.connection().stats().get(wait.toMillis(), TimeUnit.MILLISECONDS).get("curr_items");
			long count = (items != null) ? Long.parseLong(items.trim()) : -1;
			return (count >= 0) ? count : -1;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return -1;
		}
		catch (Exception ex) {
			// Bytes from memcached are untrusted, and a slow peer is no reason to stop
			// the run: without the count, progress shows what was listed so far.
			return -1;
		}
	}

}
