package io.memquorum.refill;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ForegroundBaselineTests {

	private static final long MS = 1_000_000L;

	private final LatencyHistogram foreground = new LatencyHistogram();

	private final AtomicLong clock = new AtomicLong();

	private final ForegroundBaseline baseline = new ForegroundBaseline(this.foreground, this.clock::get);

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

	@Test
	void aForegroundThatStoppedIsIdleNowWhateverItsBaseline() {
		record(100, 1 * MS);
		tickAfter(1000);
		assertThat(this.baseline.isIdleNow()).isFalse();
		tickAfter(1000);
		assertThat(this.baseline.isIdleNow()).isTrue();
		assertThat(this.baseline.p99Nanos()).as("the baseline is kept").isBetween(1 * MS, (long) (1.25 * MS));
	}

	@Test
	void aTickRightAfterAnotherDoesNotCallABusyForegroundIdle() {
		record(100, 1 * MS);
		tickAfter(1000);
		tickAfter(10);
		assertThat(this.baseline.isIdleNow()).isFalse();
	}

	private void tickAfter(long millis) {
		this.clock.addAndGet(millis * MS);
		this.baseline.tick();
	}

	private void record(long count, long latency) {
		for (int i = 0; i < count; i++) {
			this.foreground.record(latency);
		}
	}

}
