package io.memquorum.refill;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyHistogramTests {

	@Test
	void aPercentileIsWithinAQuarterOfTheTrueLatency() {
		LatencyHistogram histogram = new LatencyHistogram();
		long[] before = histogram.snapshot();
		for (int i = 1; i <= 1000; i++) {
			histogram.record(i * 1_000L);
		}
		long p99 = LatencyHistogram.percentile(before, histogram.snapshot(), 0.99);
		assertThat(p99).isBetween(990_000L, (long) (990_000 * 1.25));
		long p50 = LatencyHistogram.percentile(before, histogram.snapshot(), 0.50);
		assertThat(p50).isBetween(500_000L, (long) (500_000 * 1.25));
	}

	@Test
	void aPercentileCountsOnlyWhatWasRecordedBetweenTheTwoSnapshots() {
		LatencyHistogram histogram = new LatencyHistogram();
		for (int i = 0; i < 1000; i++) {
			histogram.record(50_000_000L);
		}
		long[] earlier = histogram.snapshot();
		for (int i = 0; i < 1000; i++) {
			histogram.record(100_000L);
		}
		long[] later = histogram.snapshot();
		assertThat(LatencyHistogram.count(earlier, later)).isEqualTo(1000);
		assertThat(LatencyHistogram.percentile(earlier, later, 0.99)).isLessThan(130_000L);
	}

	@Test
	void nothingRecordedHasNoPercentile() {
		LatencyHistogram histogram = new LatencyHistogram();
		assertThat(LatencyHistogram.percentile(histogram.snapshot(), histogram.snapshot(), 0.99)).isEqualTo(-1);
	}

	@Test
	void latenciesOutsideTheRangeCountInTheEndBuckets() {
		assertThat(LatencyHistogram.bucket(0)).isZero();
		assertThat(LatencyHistogram.bucket(Long.MAX_VALUE)).isEqualTo(LatencyHistogram.BUCKETS - 1);
		for (int bucket = 1; bucket < LatencyHistogram.BUCKETS; bucket++) {
			assertThat(LatencyHistogram.bucket(LatencyHistogram.upperBound(bucket))).isEqualTo(bucket);
			assertThat(LatencyHistogram.bucket(LatencyHistogram.upperBound(bucket - 1) + 1)).isEqualTo(bucket);
		}
	}

}
