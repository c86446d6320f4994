package io.memquorum.refill;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ForegroundBaselineTests {

	private static final long MS = 1_000_000L;

	private final LatencyHistogram foreground = new LatencyHistogram();

	private final ForegroundBaseline baseline = new ForegroundBaseline(this.foreground);

	@Test
	void isUnknownUntilAWindowCountedEnoughCommands() {
		record(ForegroundBaseline.MIN_SAMPLES - 1, 1 * MS);
		this.baseline.tick();
		assertThat(this.baseline.p99Nanos()).isEqualTo(-1);
		record(1, 1 * MS);
		this.baseline.tick();
		assertThat(this.baseline.p99Nanos()).isBetween(1 * MS, (long) (1.25 * MS));
	}

	@Test
	void isTheLowestOfTheRecentWindowsSoThatTheDisturbanceBeforeARefillDoesNotRaiseIt() {
		record(100, 1 * MS);
		this.baseline.tick();
		// The node restarting: commands time out.
		record(100, 500 * MS);
		this.baseline.tick();
		assertThat(this.baseline.p99Nanos()).isLessThan((long) (1.25 * MS));
	}

	@Test
	void forgetsWindowsOlderThanTheLastFew() {
		record(100, 1 * MS);
		this.baseline.tick();
		for (int i = 0; i < ForegroundBaseline.WINDOWS; i++) {
			record(100, 8 * MS);
			this.baseline.tick();
		}
		assertThat(this.baseline.p99Nanos()).isGreaterThanOrEqualTo(8 * MS);
	}

	@Test
	void aWindowThatARefillRanThroughIsDropped() {
		record(100, 1 * MS);
		this.baseline.tick();
		record(100, 30 * MS);
		this.baseline.skip();
		for (int i = 0; i < ForegroundBaseline.WINDOWS - 1; i++) {
			record(100, 2 * MS);
			this.baseline.tick();
		}
		assertThat(this.baseline.p99Nanos()).isLessThan((long) (1.25 * MS));
	}

	private void record(long count, long latency) {
		for (int i = 0; i < count; i++) {
			this.foreground.record(latency);
		}
	}

}
