package io.memquorum.benchmarks.failover;

import java.util.Arrays;

/**
 * The operations that started within one 100 ms window, relative to the fault.
 *
 * @param startMillis the window's start, in milliseconds after the fault (negative before
 * it)
 * @param operations how many operations started in it
 * @param errors how many of them failed
 * @param p50Micros median latency in microseconds
 * @param p99Micros 99th percentile latency in microseconds
 * @param maxMicros the slowest operation in microseconds
 */
public record Window(long startMillis, int operations, int errors, double p50Micros, double p99Micros,
		double maxMicros) {

	static Window of(long startMillis, long[] latencyNanos, int count, int errors) {
		if (count == 0) {
			return new Window(startMillis, 0, errors, 0, 0, 0);
		}
		long[] sorted = Arrays.copyOf(latencyNanos, count);
		Arrays.sort(sorted);
		return new Window(startMillis, count, errors, micros(percentile(sorted, 0.50)),
				micros(percentile(sorted, 0.99)), micros(sorted[count - 1]));
	}

	private static long percentile(long[] sorted, double quantile) {
		int index = (int) Math.ceil(quantile * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
	}

	private static double micros(long nanos) {
		return Math.round(nanos / 100.0) / 10.0;
	}

}
