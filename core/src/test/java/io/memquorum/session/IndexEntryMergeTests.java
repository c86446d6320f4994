package io.memquorum.session;

import java.util.List;
import java.util.Map;

import io.memquorum.engine.Envelope;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How two copies of one index item combine ({@link IndexEntryMerge}): the union of the
 * sessions they list, whatever their versions.
 */
class IndexEntryMergeTests {

	private static final IndexEntryMerge MERGE = IndexEntryMerge.INSTANCE;

	private static Envelope index(long version, long expiresAt, Map<String, Long> entries) {
		IndexEntries index = IndexEntries.empty();
		entries.forEach(index::put);
		return Envelope.value(version, expiresAt, index.encode());
	}

	private static Map<String, Long> entries(Envelope envelope) {
		return IndexEntries.decode(envelope.payload()).entries;
	}

	@Test
	void aPartialItemWrittenOnARestartedNodeGetsBackEverySessionTheFullCopyListsUnderTheSameVersion() {
		Envelope partial = index(9, 5_000, Map.of("new", 4_000L));
		Envelope full = index(9, 4_000, Map.of("a", 3_000L, "b", 3_500L, "new", 4_000L));
		Envelope merged = MERGE.merge(partial, full);
		assertThat(merged).isNotNull();
		assertThat(entries(merged)).containsOnlyKeys("a", "b", "new");
		assertThat(merged.version()).isEqualTo(9);
		assertThat(merged.expiresAtMillis()).isEqualTo(5_000);
	}

	@Test
	void aNewerPartialItemAddsToAnOlderFullOneInsteadOfReplacingIt() {
		Envelope full = index(5, 0, Map.of("a", 3_000L, "b", 3_500L));
		Envelope newerPartial = index(8, 9_000, Map.of("new", 4_000L));
		Envelope merged = MERGE.merge(full, newerPartial);
		assertThat(merged).isNotNull();
		assertThat(entries(merged)).containsOnlyKeys("a", "b", "new");
		assertThat(merged.version()).isEqualTo(8);
		assertThat(merged.expiresAtMillis()).as("0 lives longest").isZero();
	}

	@Test
	void eachSessionIsListedUntilTheLaterOfItsTwoTimes() {
		Envelope merged = MERGE.merge(index(1, 0, Map.of("a", 3_000L)), index(2, 0, Map.of("a", 2_000L, "b", 1L)));
		assertThat(entries(merged)).containsEntry("a", 3_000L).containsEntry("b", 1L);
	}

	@Test
	void aReplicaThatAlreadyListsEverySessionIsLeftAsItIs() {
		Envelope full = index(5, 0, Map.of("a", 3_000L, "b", 3_500L));
		assertThat(MERGE.merge(full, full)).isNull();
		assertThat(MERGE.merge(full, index(9, 0, Map.of("b", 3_500L)))).isNull();
		assertThat(MERGE.merge(full, index(9, 0, Map.of("b", 1_000L)))).isNull();
	}

	@Test
	void aReplicaThatHoldsNothingGetsTheCopy() {
		Envelope copy = index(5, 0, Map.of("a", 3_000L));
		assertThat(MERGE.merge(null, copy)).isSameAs(copy);
		assertThat(MERGE.merge(Envelope.absent(), copy)).isSameAs(copy);
	}

	@Test
	void theMergeIsAJoinSoReplicasConvergeWhateverOrderCopiesReachThemIn() {
		List<Envelope> copies = List.of(index(3, 0, Map.of("a", 1L)), index(3, 0, Map.of("b", 2L, "a", 4L)),
				index(7, 0, Map.of("c", 3L)));
		Map<String, Long> expected = Map.of("a", 4L, "b", 2L, "c", 3L);
		for (Envelope first : copies) {
			for (Envelope second : copies) {
				for (Envelope third : copies) {
					Envelope merged = MERGE.combine(MERGE.combine(first, second), third);
					Envelope all = MERGE.combine(MERGE.combine(merged, copies.get(0)),
							MERGE.combine(copies.get(1), copies.get(2)));
					assertThat(entries(all)).isEqualTo(expected);
					assertThat(MERGE.merge(all, first)).as("idempotent").isNull();
				}
			}
		}
	}

	@Test
	void unreadableBytesAddNothingAndAreReplacedByAReadableCopy() {
		Envelope garbage = Envelope.value(9, 0, new byte[] { 42, 1, 2 });
		Envelope copy = index(5, 0, Map.of("a", 3_000L));
		assertThat(MERGE.merge(copy, garbage)).isNull();
		Envelope merged = MERGE.merge(garbage, copy);
		assertThat(merged).isNotNull();
		assertThat(entries(merged)).containsOnlyKeys("a");
	}

	@Test
	void whereATombstoneIsInvolvedTheNewestVersionWins() {
		Envelope copy = index(5, 0, Map.of("a", 3_000L));
		Envelope tombstone = Envelope.tombstone(6, 0);
		assertThat(MERGE.merge(copy, tombstone)).isSameAs(tombstone);
		assertThat(MERGE.merge(tombstone, copy)).isNull();
		assertThat(MERGE.merge(Envelope.tombstone(4, 0), copy)).isSameAs(copy);
	}

}
