package io.memquorum.benchmarks.failover;

import java.util.Arrays;

/**
 * What one load thread did: the start time and latency of every operation, and whether it
 * failed. Written by its own thread only, read after that thread ended.
 */
final class LatencyRecorder {

	private long[] startNanos = new long[1 << 16];

	private long[] latencyNanos = new long[1 << 16];

	private boolean[] failed = new boolean[1 << 16];

	private int size;

	void record(long start, long latency, boolean failure) {
		if (this.size == this.startNanos.length) {
			int capacity = this.size * 2;
			this.startNanos = Arrays.copyOf(this.startNanos, capacity);
			this.latencyNanos = Arrays.copyOf(this.latencyNanos, capacity);
			this.failed = Arrays.copyOf(this.failed, capacity);
		}
		this.startNanos[this.size] = start;
		this.latencyNanos[this.size] = latency;
		this.failed[this.size] = failure;
		this.size++;
	}

	int size() {
		return this.size;
	}

	long startNanos(int i) {
		return this.startNanos[i];
	}

	long latencyNanos(int i) {
		return this.latencyNanos[i];
	}

	boolean failed(int i) {
		return this.failed[i];
	}

}
