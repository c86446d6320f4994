package io.memquorum.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What refill stores over what a node already holds ({@link RefillRun#copies}).
 */
class RefillRuleTests {

	private static final byte[] PAYLOAD = { 1 };

	@Test
	void aNodeThatHoldsNothingGetsTheValueOrTheTombstone() {
		assertThat(RefillRun.copies(Envelope.value(5, 0, PAYLOAD), null)).isTrue();
		assertThat(RefillRun.copies(Envelope.tombstone(5, 0), null)).isTrue();
	}

	@Test
	void nothingNewerOrEqualOnTheNodeIsEverReplaced() {
		assertThat(RefillRun.copies(Envelope.value(5, 0, PAYLOAD), Envelope.value(5, 0, PAYLOAD))).isFalse();
		assertThat(RefillRun.copies(Envelope.value(5, 0, PAYLOAD), Envelope.value(6, 0, PAYLOAD))).isFalse();
		assertThat(RefillRun.copies(Envelope.tombstone(5, 0), Envelope.value(6, 0, PAYLOAD))).isFalse();
		assertThat(RefillRun.copies(Envelope.value(5, 0, PAYLOAD), Envelope.tombstone(6, 0))).isFalse();
	}

	@Test
	void aNewerTombstoneReplacesAnOlderValueSoADeletedKeyIsNotReadableThere() {
		assertThat(RefillRun.copies(Envelope.tombstone(6, 0), Envelope.value(5, 0, PAYLOAD))).isTrue();
	}

	@Test
	void aNewerValueReplacesAnOlderTombstone() {
		assertThat(RefillRun.copies(Envelope.value(6, 0, PAYLOAD), Envelope.tombstone(5, 0))).isTrue();
	}

	@Test
	void aNewerValueNeverReplacesAValueThatMayHoldMergedUpdates() {
		assertThat(RefillRun.copies(Envelope.value(6, 0, PAYLOAD), Envelope.value(5, 0, PAYLOAD))).isFalse();
	}

}
