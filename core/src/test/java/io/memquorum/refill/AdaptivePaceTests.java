package io.memquorum.refill;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The controller alone, on a fake clock and a histogram fed by the test: it speeds up
 * while the foreground p99 is within the factor, slows down when it is not, and stays
 * within the floor and the configured ceiling.
 */
class AdaptivePaceTests {

	private static final long MS = 1_000_000L;

	private final AtomicLong clock = new AtomicLong(1_000_000 * MS);

	private final LatencyHistogram foreground = new LatencyHistogram();

	@Test
	void speedsUpToTheCeilingWhileTheForegroundKeepsItsLatency() {
		AdaptivePace pace = new AdaptivePace(this.foreground, 2.0, 1 * MS, 200_000, this.clock::get);
		assertThat(pace.limit()).isEqualTo(AdaptivePace.START_ENTRIES_PER_SECOND);
		for (int window = 0; window < 30; window++) {
			window(pace, 1 * MS);
		}
		assertThat(pace.limit()).isEqualTo(200_000);
	}

	@Test
	void slowsDownWhenTheForegroundP99ExceedsTheFactor() {
		AdaptivePace pace = new AdaptivePace(this.foreground, 2.0, 1 * MS, 200_000, this.clock::get);
		for (int window = 0; window < 30; window++) {
			window(pace, 1 * MS);
		}
		window(pace, 3 * MS);
		assertThat(pace.limit()).as("one window over the bound holds the limit").isEqualTo(200_000);
		window(pace, 3 * MS);
		assertThat(pace.limit()).isEqualTo((long) (200_000 * AdaptivePace.DECREASE));
		window(pace, 3 * MS);
		assertThat(pace.limit()).isEqualTo((long) (200_000 * AdaptivePace.DECREASE * AdaptivePace.DECREASE));
		assertThat(pace.lastP99Nanos()).isGreaterThan(2 * MS);
	}

	@Test
	void aSingleSlowWindowAmongGoodOnesDoesNotSlowTheRefill() {
		AdaptivePace pace = new AdaptivePace(this.foreground, 2.0, 1 * MS, 200_000, this.clock::get);
		for (int window = 0; window < 50; window++) {
			window(pace, (window % 2 == 0) ? 1 * MS : 16 * MS);
		}
		assertThat(pace.limit()).isEqualTo(200_000);
	}

	@Test
	void aP99WellWithinTheFactorSpeedsUp() {
		AdaptivePace pace = new AdaptivePace(this.foreground, 2.0, 1 * MS, 200_000, this.clock::get);
		long before = pace.limit();
		window(pace, 1 * MS);
		assertThat(pace.limit()).isGreaterThan(before);
	}

	@Test
	void aP99CloseToTheBoundHoldsTheRateSoThatTheRefillDoesNotSitOnTheBound() {
		AdaptivePace pace = new AdaptivePace(this.foreground, 2.0, 1 * MS, 200_000, this.clock::get);
		long before = pace.limit();
		for (int window = 0; window < 10; window++) {
			window(pace, (long) (1.8 * MS));
		}
		assertThat(pace.limit()).isEqualTo(before);
	}

	@Test
	void neverGoesBelowTheFloorHoweverSlowTheForeground() {
		AdaptivePace pace = new AdaptivePace(this.foreground, 2.0, 1 * MS, 200_000, this.clock::get);
		for (int window = 0; window < 30; window++) {
			window(pace, 50 * MS);
		}
		assertThat(pace.limit()).isEqualTo(AdaptivePace.FLOOR_ENTRIES_PER_SECOND);
	}

	@Test
	void aRefillOnAnIdleForegroundStartsAtTheCeilingAndStaysThereWhileNobodyIsServed() {
		AdaptivePace pace = new AdaptivePace(this.foreground, 2.0, -1, 200_000, this.clock::get);
		assertThat(pace.limit()).isEqualTo(200_000);
		for (int window = 0; window < 5; window++) {
			pace.entriesPerSecond(2_000);
			this.clock.addAndGet(AdaptivePace.WINDOW_NANOS);
		}
		pace.entriesPerSecond(0);
		assertThat(pace.limit()).as("held back by round trips, not by the limit").isEqualTo(200_000);
	}

	@Test
	void aForegroundThatAppearsDuringAFullSpeedRefillBringsItToTheStartRateBeforeItsBaselineIsTaken() {
		AdaptivePace pace = new AdaptivePace(this.foreground, 2.0, -1, 200_000, this.clock::get);
		window(pace, 9 * MS);
		assertThat(pace.limit()).isEqualTo(AdaptivePace.START_ENTRIES_PER_SECOND);
		assertThat(pace.baselineNanos()).as("shaped by the full-speed refill").isEqualTo(-1);
		window(pace, 2 * MS);
		assertThat(pace.baselineNanos()).isBetween(2 * MS, 3 * MS);
		window(pace, 5 * MS);
		window(pace, 5 * MS);
		assertThat(pace.limit()).isLessThan(AdaptivePace.START_ENTRIES_PER_SECOND);
	}

	@Test
	void anIdleForegroundLetsTheRefillSpeedUpAtEveryWindow() {
		AdaptivePace pace = new AdaptivePace(this.foreground, 2.0, 1 * MS, 200_000, this.clock::get);
		// Copied at the starting rate for one window: doubling the limit is also twice
		// what was achieved.
		pace.entriesPerSecond(
				(int) (AdaptivePace.START_ENTRIES_PER_SECOND * AdaptivePace.WINDOW_NANOS / 1_000_000_000L));
		this.clock.addAndGet(AdaptivePace.WINDOW_NANOS);
		pace.entriesPerSecond(0);
		assertThat(pace.limit()).isEqualTo((long) (AdaptivePace.START_ENTRIES_PER_SECOND * AdaptivePace.IDLE_INCREASE));
		assertThat(pace.lastP99Nanos()).isEqualTo(-1);
	}

	@Test
	void aSparseForegroundIsJudgedOnceItsWindowHoldsEnoughOperationsOrASecondPassed() {
		AdaptivePace pace = new AdaptivePace(this.foreground, 2.0, 1 * MS, 200_000, this.clock::get);
		// The refill copies at its limit throughout: 12,000 entries in 1.2 s.
		pace.entriesPerSecond(12_000);
		this.foreground.record(50 * MS);
		this.clock.addAndGet(AdaptivePace.WINDOW_NANOS);
		pace.entriesPerSecond(0);
		assertThat(pace.limit()).as("one operation in 200 ms says nothing yet")
			.isEqualTo(AdaptivePace.START_ENTRIES_PER_SECOND);
		this.clock.addAndGet(AdaptivePace.IDLE_WINDOW_NANOS);
		pace.entriesPerSecond(0);
		assertThat(pace.limit()).isGreaterThan(AdaptivePace.START_ENTRIES_PER_SECOND);
	}

	@Test
	void withoutABaselineTheFirstBusyWindowAtTheStartRateBecomesOne() {
		AdaptivePace pace = new AdaptivePace(this.foreground, 2.0, -1, 200_000, this.clock::get);
		window(pace, 9 * MS);
		window(pace, 4 * MS);
		assertThat(pace.baselineNanos()).isBetween(4 * MS, 5 * MS);
		long after = pace.limit();
		window(pace, 4 * MS);
		assertThat(pace.limit()).isGreaterThan(after);
		window(pace, 11 * MS);
		window(pace, 11 * MS);
		assertThat(pace.limit()).isLessThan(after);
	}

	@Test
	void theLimitGrowsToAtMostTwiceWhatTheRefillAchieved() {
		AdaptivePace pace = new AdaptivePace(this.foreground, 2.0, 1 * MS, 1_000_000, this.clock::get);
		for (int window = 0; window < 50; window++) {
			// 2,000 entries in 200 ms: 10,000 entries/s, held back by round trips.
			window(pace, 1 * MS, 2_000);
		}
		assertThat(pace.limit()).isLessThanOrEqualTo(20_000);
	}

	@Test
	void aFactorOfOneOrLessIsRefused() {
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> new AdaptivePace(this.foreground, 1.0, 1 * MS, 1000, this.clock::get))
			.withMessage("The refill latency factor must be more than 1, got 1.0");
	}

	/**
	 * One window in which the refill copies as fast as the limit lets it.
	 */
	private void window(AdaptivePace pace, long latency) {
		window(pace, latency, pace.limit() * AdaptivePace.WINDOW_NANOS / 1_000_000_000L);
	}

	/**
	 * One window: foreground commands of the given latency, and the refill booking
	 * {@code entries} entries, then the window closes.
	 */
	private void window(AdaptivePace pace, long latency, long entries) {
		for (int i = 0; i < 200; i++) {
			this.foreground.record(latency);
		}
		pace.entriesPerSecond((int) entries);
		this.clock.addAndGet(AdaptivePace.WINDOW_NANOS);
		pace.entriesPerSecond(0);
	}

}
