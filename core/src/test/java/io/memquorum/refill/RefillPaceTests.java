package io.memquorum.refill;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RefillPaceTests {

	private long now = 1_000_000_000L;

	private final List<Long> sleeps = new ArrayList<>();

	private RefillPace pace(long entriesPerSecond, long bytesPerSecond) {
		return new RefillPace(entriesPerSecond, bytesPerSecond, () -> this.now, (nanos) -> {
			this.sleeps.add(nanos);
			this.now += nanos;
		});
	}

	@Test
	void copyingAtTheEntryRateTakesEntriesDividedByRateSeconds() throws Exception {
		RefillPace pace = pace(1_000, Long.MAX_VALUE);
		long start = this.now;
		for (int i = 0; i < 100; i++) {
			pace.acquire(100, 0);
		}
		// 10,000 entries at 1,000/s: 10 s, less the burst allowed at the start.
		assertThat(this.now - start).isBetween(10_000_000_000L - RefillPace.BURST_NANOS, 10_000_000_000L);
	}

	@Test
	void theByteRateWinsWhenItIsTheStricterOne() throws Exception {
		RefillPace pace = pace(1_000_000, 1_000_000);
		long start = this.now;
		for (int i = 0; i < 10; i++) {
			pace.acquire(10, 1_000_000);
		}
		assertThat(this.now - start).isBetween(10_000_000_000L - RefillPace.BURST_NANOS, 10_000_000_000L);
	}

	@Test
	void timeSpentIdleIsNotMadeUpWithABurst() throws Exception {
		RefillPace pace = pace(1_000, Long.MAX_VALUE);
		pace.acquire(100, 0);
		this.now += 60_000_000_000L;
		this.sleeps.clear();
		pace.acquire(100, 0);
		// After a minute idle, 100 entries still take 100 ms less at most the burst.
		assertThat(this.sleeps).hasSize(1);
		assertThat(this.sleeps.get(0)).isEqualTo(100_000_000L - RefillPace.BURST_NANOS);
	}

	@Test
	void ratesMustBePositive() {
		assertThatIllegalArgumentException().isThrownBy(() -> new RefillPace(0, 1))
			.withMessageContaining("0 entries/s");
		assertThatIllegalArgumentException().isThrownBy(() -> new RefillPace(1, -5))
			.withMessageContaining("-5 bytes/s");
	}

	@Test
	void withAnAdaptivePaceTheEntryRateIsTheOneItChooses() throws Exception {
		LatencyHistogram foreground = new LatencyHistogram();
		AdaptivePace adaptive = new AdaptivePace(foreground, 2.0, 1_000_000, 100_000, () -> this.now);
		RefillPace pace = new RefillPace(100_000, Long.MAX_VALUE, adaptive, () -> this.now, (nanos) -> {
			this.sleeps.add(nanos);
			this.now += nanos;
		});
		long start = this.now;
		for (int i = 0; i < 100; i++) {
			pace.acquire(100, 0);
		}
		// 10,000 entries from the adaptive start of 2,000/s (the foreground was busy
		// before: a baseline is known), doubling every 200 ms while it is idle now: about
		// 0.9 s, not the 0.1 s of the ceiling.
		assertThat(this.now - start).isBetween(700_000_000L, 1_200_000_000L);
		assertThat(pace.describe()).startsWith("adaptive ");
	}

}
