package io.memquorum.benchmarks.jmh;

import io.memquorum.benchmarks.KeyValueStore;
import org.jspecify.annotations.Nullable;

/**
 * Setup and teardown shared by the benchmarks.
 */
final class Stores {

	private Stores() {
	}

	/**
	 * Write every key of the workload, then read one back, so that every measured get
	 * hits.
	 * @param store the store to fill
	 */
	static void populate(KeyValueStore store) {
		for (String key : Workload.keys()) {
			store.set(key, Workload.value());
		}
		byte[] back = store.get(Workload.keys()[0]);
		if (back == null || back.length != Workload.VALUE_SIZE) {
			throw new IllegalStateException("Populating failed: " + store + " did not return what was written");
		}
	}

	static void close(@Nullable AutoCloseable... resources) {
		for (AutoCloseable resource : resources) {
			if (resource != null) {
				try {
					resource.close();
				}
				catch (Exception ex) {
					// the fork ends anyway; nothing else depends on it
				}
			}
		}
	}

}
