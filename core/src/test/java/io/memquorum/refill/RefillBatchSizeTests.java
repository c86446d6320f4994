package io.memquorum.refill;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Batches shrink with the node, so that a small node's refill holds no more heap per
 * listed key than a large one's; a peer that does not say how many items it holds gets
 * the largest batch.
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

}
