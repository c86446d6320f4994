package io.memquorum.refill;

import io.memquorum.engine.EntryMerge;
import io.memquorum.engine.Envelope;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What refill stores over what a node already holds ({@link RefillRun#decide},
 * {@link RefillRun#copies}).
 */
class RefillRuleTests {

	private static final byte[] PAYLOAD = { 1 };

	@Test
	void aNodeThatHoldsNothingGetsTheValueOrTheTombstone() {
		assertThat(CopyRule.copies(Envelope.value(5, 0, PAYLOAD), null)).isTrue();
		assertThat(CopyRule.copies(Envelope.tombstone(5, 0), null)).isTrue();
	}

	@Test
	void nothingNewerOrEqualOnTheNodeIsEverReplaced() {
		assertThat(CopyRule.copies(Envelope.value(5, 0, PAYLOAD), Envelope.value(5, 0, PAYLOAD))).isFalse();
		assertThat(CopyRule.copies(Envelope.value(5, 0, PAYLOAD), Envelope.value(6, 0, PAYLOAD))).isFalse();
		assertThat(CopyRule.copies(Envelope.tombstone(5, 0), Envelope.value(6, 0, PAYLOAD))).isFalse();
		assertThat(CopyRule.copies(Envelope.value(5, 0, PAYLOAD), Envelope.tombstone(6, 0))).isFalse();
	}

	@Test
	void aNewerTombstoneReplacesAnOlderValueSoADeletedKeyIsNotReadableThere() {
		assertThat(CopyRule.copies(Envelope.tombstone(6, 0), Envelope.value(5, 0, PAYLOAD))).isTrue();
	}

	@Test
	void aNewerValueReplacesAnOlderTombstone() {
		assertThat(CopyRule.copies(Envelope.value(6, 0, PAYLOAD), Envelope.tombstone(5, 0))).isTrue();
	}

	@Test
	void aNewerValueNeverReplacesAValueThatMayHoldMergedUpdates() {
		assertThat(CopyRule.copies(Envelope.value(6, 0, PAYLOAD), Envelope.value(5, 0, PAYLOAD))).isFalse();
	}

	@Test
	void aKeyWithoutAMergeOfItsOwnFollowsTheCopyRule() {
		Envelope copy = Envelope.value(6, 0, PAYLOAD);
		assertThat(CopyRule.decide(copy, null, null)).isSameAs(copy);
		assertThat(CopyRule.decide(copy, Envelope.value(5, 0, PAYLOAD), null)).isNull();
		assertThat(CopyRule.decide(copy, Envelope.tombstone(5, 0), null)).isSameAs(copy);
	}

	@Test
	void aKeyWithAMergeOfItsOwnGetsTheMergeOfTheCopyAndWhatTheNodeHoldsWhateverTheVersions() {
		// A merge that concatenates payloads, so the test sees both sides in what is
		// stored.
		EntryMerge concatenate = (held, incoming) -> (held == null) ? incoming
				: Envelope.value(Math.max(held.version(), incoming.version()), 0,
						new byte[] { held.payload()[0], incoming.payload()[0] });
		Envelope onNode = Envelope.value(7, 0, new byte[] { 7 });
		Envelope copy = Envelope.value(5, 0, new byte[] { 5 });
		assertThat(CopyRule.decide(copy, null, concatenate)).isSameAs(copy);
		Envelope stored = CopyRule.decide(copy, onNode, concatenate);
		assertThat(stored).isNotNull();
		assertThat(stored.version()).isEqualTo(7);
		assertThat(stored.payload()).containsExactly(7, 5);
	}

	@Test
	void aMergeThatFindsNothingToAddLeavesTheNodeAsItIs() {
		assertThat(
				CopyRule.decide(Envelope.value(6, 0, PAYLOAD), Envelope.value(5, 0, PAYLOAD), (held, incoming) -> null))
			.isNull();
	}

}
