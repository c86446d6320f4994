package io.memquorum.refill;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Batches shrink with the node, so that a small node's refill holds no more heap per
 * listed key than a large one's; a peer that does not say how many items it holds gets
 * the largest batch. A slow pace sends small batches often instead of large ones seldom.
 */
class RefillBatchSizeTests {

	@Test
	void aSmallNodeGetsSmallBatches() {
		assertThat(RefillRun.batchKeysFor(50_000)).isEqualTo(97);
		assertThat(RefillRun.batchKeysFor(14_096)).isEqualTo(RefillRun.MIN_BATCH);
		assertThat(RefillRun.batchKeysFor(100)).isEqualTo(RefillRun.MIN_BATCH);
	}

	@Test
	void aLargeNodeGetsTheLargestBatch() {
		assertThat(RefillRun.batchKeysFor(104_096)).isEqualTo(RefillRun.BATCH);
		assertThat(RefillRun.batchKeysFor(10_000_000)).isEqualTo(RefillRun.BATCH);
	}

	@Test
	void anUnknownItemCountGetsTheLargestBatch() {
		assertThat(RefillRun.batchKeysFor(-1)).isEqualTo(RefillRun.BATCH);
	}

	@Test
	void aSlowPaceSendsSmallBatchesOften() {
		// 1,000 entries/s: 5 entries every 5 ms, not 32 every 32 ms.
		assertThat(RefillRun.batchKeysAt(32, 1_000)).isEqualTo(5);
		assertThat(RefillRun.batchKeysAt(200, 10_000)).isEqualTo(50);
		assertThat(RefillRun.batchKeysAt(200, 100)).isEqualTo(RefillRun.MIN_PACED_BATCH);
	}

	@Test
	void aFastPaceKeepsTheBatchTheNodeSizeGives() {
		assertThat(RefillRun.batchKeysAt(32, 200_000)).isEqualTo(32);
		assertThat(RefillRun.batchKeysAt(200, 200_000)).isEqualTo(200);
	}

}
