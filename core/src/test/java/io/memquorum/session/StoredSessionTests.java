package io.memquorum.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoredSessionTests {

	private static StoredSession session(long version) {
		StoredSession session = StoredSession.withSealedId("id-1".getBytes(StandardCharsets.UTF_8));
		session.creationTime.set(version, 1);
		session.lastAccessedTime.set(version, 2);
		session.maxInactiveSeconds.set(version, 1800);
		return session;
	}

	@Test
	void aSessionRoundTripsThroughItsPayload() {
		StoredSession session = session(5);
		session.indexedUntil = 4;
		session.indexesVersion = 5;
		session.indexes.put("principal", "alice");
		session.attributes.put("a", new StoredSession.Attribute(5, new byte[] { 1, 2 }));
		session.attributes.put("gone", new StoredSession.Attribute(6, null));
		StoredSession read = StoredSession.decode(session.encode());
		assertThat(read.sealedId).asString(StandardCharsets.UTF_8).isEqualTo("id-1");
		assertThat(read.lastAccessedTime.value).isEqualTo(2);
		assertThat(read.expiresAt()).isEqualTo(2 + 1_800_000);
		assertThat(read.indexes).containsExactly(Map.entry("principal", "alice"));
		assertThat(read.liveAttributes()).containsOnlyKeys("a");
		assertThat(read.attributes.get("gone").version()).isEqualTo(6);
		assertThat(read.isComplete()).isTrue();
		assertThat(read.isEnded()).isFalse();
	}

	@Test
	void truncatedOrForeignBytesAreASerializationException() {
		StoredSession session = session(1);
		session.attributes.put("a", new StoredSession.Attribute(1, new byte[100]));
		byte[] bytes = session.encode();
		assertThatThrownBy(() -> StoredSession.decode(Arrays.copyOf(bytes, bytes.length - 10)))
			.isInstanceOf(SessionSerializationException.class);
		assertThatThrownBy(() -> StoredSession.decode(new byte[] { 9, 9, 9 }))
			.isInstanceOf(SessionSerializationException.class);
	}

	@Test
	void metadataOutOfRangeIsASerializationExceptionNotATimeBomb() {
		StoredSession huge = session(1);
		huge.maxInactiveSeconds.set(1, 1L << 62);
		assertThatThrownBy(() -> StoredSession.decode(huge.encode())).isInstanceOf(SessionSerializationException.class)
			.hasMessageContaining("Max inactive interval out of range");
		StoredSession future = session(1);
		future.lastAccessedTime.set(1, Long.MAX_VALUE - 5);
		assertThatThrownBy(() -> StoredSession.decode(future.encode()))
			.isInstanceOf(SessionSerializationException.class)
			.hasMessageContaining("last accessed time out of range");
		StoredSession negativeVersion = session(1);
		negativeVersion.attributes.put("a", new StoredSession.Attribute(-3, new byte[] { 1 }));
		assertThatThrownBy(() -> StoredSession.decode(negativeVersion.encode()))
			.isInstanceOf(SessionSerializationException.class);
	}

	@Test
	void aMergeKeepsTheNewerVersionOfEachFieldAndRemovalsWinOverOlderValues() {
		StoredSession replica = session(10);
		replica.attributes.put("a", new StoredSession.Attribute(10, new byte[] { 1 }));
		replica.attributes.put("admin", new StoredSession.Attribute(10, new byte[] { 1 }));
		replica.lastAccessedTime.set(20, 500);
		StoredSession change = StoredSession.delta();
		change.lastAccessedTime.set(15, 900);
		change.attributes.put("admin", new StoredSession.Attribute(12, null));
		change.attributes.put("a", new StoredSession.Attribute(9, new byte[] { 7 }));
		replica.mergeFrom(change);
		assertThat(replica.lastAccessedTime.value).as("an older last access loses to a newer one, however late")
			.isEqualTo(500);
		assertThat(replica.liveAttributes()).containsOnlyKeys("a");
		assertThat(replica.liveAttributes().get("a")).containsExactly(1);
	}

	@Test
	void aLastAccessTimeSetIntoThePastIsStoredWhenItIsTheNewestChange() {
		StoredSession replica = session(10);
		replica.lastAccessedTime.set(10, 1_000_000);
		StoredSession change = StoredSession.delta();
		change.lastAccessedTime.set(11, 5);
		replica.mergeFrom(change);
		assertThat(replica.lastAccessedTime.value).isEqualTo(5);
		assertThat(replica.expiresAt()).isEqualTo(5 + 1_800_000);
	}

	@Test
	void anyOrderOfMergingTheSameCopiesGivesTheSameBytes() {
		Random random = new Random(42);
		List<StoredSession> copies = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			StoredSession copy = (i % 2 == 0) ? session(random.nextInt(4) + 1) : StoredSession.delta();
			for (String name : List.of("a", "b", "c")) {
				if (random.nextBoolean()) {
					byte[] value = random.nextBoolean() ? ByteBuffer.allocate(4).putInt(random.nextInt(3)).array()
							: null;
					copy.attributes.put(name, new StoredSession.Attribute(random.nextInt(4) + 1, value));
				}
			}
			copy.lastAccessedTime.set(random.nextInt(4) + 1, random.nextInt(1000));
			if (i == 3) {
				copy.invalidated.set(7, 1);
			}
			copies.add(copy);
		}
		byte[] first = null;
		for (int round = 0; round < 50; round++) {
			Collections.shuffle(copies, random);
			StoredSession merged = StoredSession.decode(copies.get(0).encode());
			for (StoredSession copy : copies.subList(1, copies.size())) {
				merged.mergeFrom(StoredSession.decode(copy.encode()));
				// merging twice changes nothing
				merged.mergeFrom(StoredSession.decode(copy.encode()));
			}
			byte[] bytes = merged.encode();
			if (first == null) {
				first = bytes;
				assertThat(merged.isEnded()).isTrue();
			}
			assertThat(bytes).isEqualTo(first);
		}
	}

	@Test
	void indexEntriesPruneExpiredSessionsAndReadCorruptBytesAsEmpty() {
		IndexEntries index = IndexEntries.empty().put("h1", 10).put("h2", 30);
		IndexEntries read = IndexEntries.decode(index.encode()).prune(20);
		assertThat(read.entries).containsOnlyKeys("h2");
		assertThat(IndexEntries.decode(new byte[] { 1, 0, 0, 0, 5 }).entries).isEmpty();
	}

}
