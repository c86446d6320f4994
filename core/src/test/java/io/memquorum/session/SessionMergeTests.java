package io.memquorum.session;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A save's merge told its outcome for the payload the request read
 * ({@link SessionMerge#knowOutcome}): the same bytes as merging from scratch, and never
 * an outcome the merge itself would refuse.
 */
class SessionMergeTests {

	private static final long NOW = 1_000_000_000L;

	private static StoredSession readSession() {
		StoredSession session = StoredSession.withSealedId("id-1".getBytes(StandardCharsets.UTF_8));
		session.creationTime.set(10, NOW - 60_000);
		session.lastAccessedTime.set(10, NOW - 1_000);
		session.maxInactiveSeconds.set(10, 1800);
		session.attributes.put("cart", new StoredSession.Attribute(10, new byte[] { 1, 2, 3 }));
		session.attributes.put("lastPage", new StoredSession.Attribute(10, new byte[] { 4 }));
		return session;
	}

	private static StoredSession change(long lastAccessedTime) {
		StoredSession change = StoredSession.delta();
		change.lastAccessedTime.set(20, lastAccessedTime);
		change.attributes.put("lastPage", new StoredSession.Attribute(20, new byte[] { 5, 6 }));
		change.attributes.put("cart", new StoredSession.Attribute(20, null));
		return change;
	}

	@Test
	void aReplicaHoldingWhatTheRequestReadTakesTheKnownOutcomeWhichIsWhatMergingWouldGive() {
		StoredSession read = readSession();
		byte[] readBytes = read.encode();
		StoredSession change = change(NOW);
		StoredSession expected = read.copy().mergeFrom(change);
		byte[] expectedBytes = expected.encode();

		SessionMerge fromScratch = new SessionMerge(change, null, new SessionIdSeal(null), NOW);
		byte[] merged = fromScratch.apply(readBytes.clone());
		SessionMerge told = new SessionMerge(change, null, new SessionIdSeal(null), NOW);
		told.knowOutcome(readBytes, read, expected, expectedBytes);
		byte[] known = told.apply(readBytes.clone());

		assertThat(known).as("taken as told, not merged again").isSameAs(expectedBytes);
		assertThat(known).isEqualTo(merged);
		assertThat(told.applyAsLong(known)).isEqualTo(fromScratch.applyAsLong(merged)).isEqualTo(NOW + 1_800_000);
		assertThat(read.encode()).as("the copy merged, not what was read").isEqualTo(readBytes);
	}

	@Test
	void aReplicaHoldingSomethingElseIsMergedAsBefore() {
		StoredSession read = readSession();
		StoredSession change = change(NOW);
		StoredSession expected = read.copy().mergeFrom(change);
		StoredSession newer = readSession();
		newer.attributes.put("locale", new StoredSession.Attribute(15, new byte[] { 7 }));

		SessionMerge told = new SessionMerge(change, null, new SessionIdSeal(null), NOW);
		told.knowOutcome(read.encode(), read, expected, expected.encode());
		byte[] merged = told.apply(newer.encode());

		assertThat(StoredSession.decode(merged).liveAttributes()).containsOnlyKeys("lastPage", "locale");
	}

	@Test
	void anOutcomeThatExpiresTheSessionIsNotTakenSoTheMergeStillReportsTheExpiry() {
		StoredSession read = readSession();
		byte[] readBytes = read.encode();
		// a last access set an hour into the past: expired as saved
		StoredSession change = change(NOW - 3_600_000);
		StoredSession expected = read.copy().mergeFrom(change);

		SessionMerge told = new SessionMerge(change, null, new SessionIdSeal(null), NOW);
		told.knowOutcome(readBytes, read, expected, expected.encode());

		assertThat(told.apply(readBytes)).isNull();
		assertThat(told.sawExpired()).isTrue();
	}

	@Test
	void anOutcomeForAnEndedSessionIsNotTakenSoTheMergeStillSeesTheLogout() {
		StoredSession read = readSession();
		read.invalidated.set(15, 1);
		byte[] readBytes = read.encode();
		StoredSession change = change(NOW);
		StoredSession expected = read.copy().mergeFrom(change);

		SessionMerge told = new SessionMerge(change, null, new SessionIdSeal(null), NOW);
		told.knowOutcome(readBytes, read, expected, expected.encode());

		assertThat(told.apply(readBytes)).isNull();
		assertThat(told.sawEnded()).isTrue();
	}

}
