package io.memquorum.engine;

import java.time.Duration;

/**
 * The settings of one engine, fixed when it is built; see
 * {@link ReplicatedMemcached.Builder} for what each means and its default.
 */
record EngineSettings(WriteQuorum writeQuorum, ReadConsistency readConsistency, Duration operationTimeout,
		Duration connectTimeout, Duration reconnectInterval, Duration reconnectGrace, int failureThreshold,
		Duration probeInterval, Duration maxProbeInterval, Duration restartCheckInterval, int maxItemSize,
		int hintCapacity, long hintBytes, Duration tombstoneTtl) {

	/**
	 * The longest a synchronous call waits for its operation: a FIRST_HIT walk may time
	 * out on every replica in turn, and a conditional write takes two round trips per
	 * attempt plus back-off. Past it the caller gets an error rather than a thread parked
	 * without bound.
	 * @param replicationFactor replicas per key
	 * @return the deadline of one synchronous call
	 */
	Duration awaitDeadline(int replicationFactor) {
		return this.operationTimeout.multipliedBy(2L * replicationFactor + 4).plusMillis(100);
	}

}
