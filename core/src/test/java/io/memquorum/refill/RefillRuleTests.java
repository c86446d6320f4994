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

	@Test
	void aKeyWithoutAMergeOfItsOwnFollowsTheCopyRule() {
		Envelope copy = Envelope.value(6, 0, PAYLOAD);
		assertThat(RefillRun.decide(copy, null, null)).isSameAs(copy);
		assertThat(RefillRun.decide(copy, Envelope.value(5, 0, PAYLOAD), null)).isNull();
		assertThat(RefillRun.decide(copy, Envelope.tombstone(5, 0), null)).isSameAs(copy);
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
		assertThat(RefillRun.decide(copy, null, concatenate)).isSameAs(copy);
		Envelope stored = RefillRun.decide(copy, onNode, concatenate);
		assertThat(stored).isNotNull();
		assertThat(stored.version()).isEqualTo(7);
		assertThat(stored.payload()).containsExactly(7, 5);
	}

	@Test
	void aMergeThatFindsNothingToAddLeavesTheNodeAsItIs() {
		assertThat(RefillRun.decide(Envelope.value(6, 0, PAYLOAD), Envelope.value(5, 0, PAYLOAD),
				(held, incoming) -> null))
			.isNull();
	}

}
