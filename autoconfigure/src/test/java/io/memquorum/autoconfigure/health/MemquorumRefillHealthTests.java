package io.memquorum.autoconfigure.health;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.memquorum.node.NodeAddress;
import io.memquorum.refill.RefillStatus;
import io.memquorum.refill.RefillStatus.Phase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The refill details of a node in health: phase, progress, rate and ETA while it runs; no
 * rate once it is over.
 */
class MemquorumRefillHealthTests {

	private static final NodeAddress NODE = NodeAddress.parse("127.0.0.1:11212");

	@Test
	void aRunningRefillShowsPhaseProgressRateAndEta() {
		Map<String, Object> details = MemquorumHealthIndicator
			.refill(new RefillStatus(NODE, Phase.REFILLING, 30_000, 45_000, 100_000, null, null, List.of(),
					30_000L * 1100, 22_500.4, 24_750_000.6, Duration.ofMillis(2_444)));
		assertThat(details).containsEntry("phase", "REFILLING")
			.containsEntry("refilling", true)
			.containsEntry("examined", 45_000L)
			.containsEntry("copied", 30_000L)
			.containsEntry("total", 100_000L)
			.containsEntry("progressPercent", 45.0)
			.containsEntry("copiedBytes", 33_000_000L)
			.containsEntry("entriesPerSecond", 22_500L)
			.containsEntry("bytesPerSecond", 24_750_001L)
			.containsEntry("etaSeconds", 2L);
	}

	@Test
	void aCompleteNodeShowsWhenAndNoRate() {
		Map<String, Object> details = MemquorumHealthIndicator.refill(new RefillStatus(NODE, Phase.COMPLETE, 30_000,
				100_000, 100_000, Instant.parse("2026-12-07T21:00:00Z"), null, List.of(), 33_000_000L, 0, 0, null));
		assertThat(details).containsEntry("phase", "COMPLETE")
			.containsEntry("refilling", false)
			.containsEntry("progressPercent", 100.0)
			.containsEntry("completedAt", "2026-12-07T21:00:00Z")
			.doesNotContainKeys("entriesPerSecond", "bytesPerSecond", "etaSeconds");
	}

	@Test
	void aRefillWhoseListingHasNotStartedHasNoProgressYet() {
		Map<String, Object> details = MemquorumHealthIndicator
			.refill(new RefillStatus(NODE, Phase.REFILLING, 0, 0, 0, null, null, List.of(), 0, 0, 0, null));
		assertThat(details).doesNotContainKeys("progressPercent", "etaSeconds").containsEntry("entriesPerSecond", 0L);
	}

}
