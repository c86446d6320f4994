package io.memquorum.benchmarks.failover;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.memquorum.benchmarks.jmh.Workload;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedCluster;

/**
 * Part of measurement 2: shows that a quorum write parks no thread per replica. It counts
 * the JVM's threads before the engine starts, after, and at the peak while 1,000 quorum
 * writes to three replicas are in flight at once.
 */
final class ReplicaThreads {

	private static final int IN_FLIGHT = 1000;

	private ReplicaThreads() {
	}

	/**
	 * The counts.
	 *
	 * @param beforeEngine live threads before the engine starts
	 * @param withEngine live threads once it has connected to three nodes
	 * @param peakWithWritesInFlight the most live threads while {@code writesInFlight}
	 * quorum writes were outstanding
	 * @param writesInFlight how many quorum writes were outstanding at once
	 */
	record Counts(int beforeEngine, int withEngine, int peakWithWritesInFlight, int writesInFlight) {

	}

	static Counts measure() {
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		try (MemcachedCluster cluster = MemcachedCluster.start(3)) {
			int before = threads.getThreadCount();
			try (ReplicatedMemcached engine = ReplicatedMemcached.builder().servers(cluster.addresses()).build()) {
				engine.set("warm", Workload.value(), Duration.ZERO);
				int with = threads.getThreadCount();
				threads.resetPeakThreadCount();
				List<CompletableFuture<Void>> writes = new ArrayList<>(IN_FLIGHT);
				for (int i = 0; i < IN_FLIGHT; i++) {
					writes.add(engine.setAsync(Workload.key(i), Workload.value(), Duration.ZERO));
				}
				CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
				return new Counts(before, with, threads.getPeakThreadCount(), IN_FLIGHT);
			}
		}
	}

}
