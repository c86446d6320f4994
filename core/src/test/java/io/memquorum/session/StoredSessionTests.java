package io.memquorum.session;

import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoredSessionTests {

	@Test
	void aSessionRoundTripsThroughItsPayload() {
		StoredSession session = new StoredSession("id-1");
		session.creationTime = 1;
		session.lastAccessedTime = 2;
		session.maxInactiveSeconds = 1800;
		session.indexedUntil = 4;
		session.indexes.put("principal", "alice");
		session.attributes.put("a", new byte[] { 1, 2 });
		StoredSession read = StoredSession.decode(session.encode());
		assertThat(read.id).isEqualTo("id-1");
		assertThat(read.lastAccessedTime).isEqualTo(2);
		assertThat(read.expiresAt()).isEqualTo(2 + 1_800_000);
		assertThat(read.indexes).containsExactly(Map.entry("principal", "alice"));
		assertThat(read.attributes.get("a")).containsExactly(1, 2);
	}

	@Test
	void truncatedOrForeignBytesAreASerializationException() {
		StoredSession session = new StoredSession("id-1");
		session.attributes.put("a", new byte[100]);
		byte[] bytes = session.encode();
		assertThatThrownBy(() -> StoredSession.decode(Arrays.copyOf(bytes, bytes.length - 10)))
			.isInstanceOf(SessionSerializationException.class);
		assertThatThrownBy(() -> StoredSession.decode(new byte[] { 9, 9, 9 }))
			.isInstanceOf(SessionSerializationException.class);
	}

	@Test
	void changesKeepAttributesTheyDoNotMentionAndNeverMoveLastAccessBack() {
		StoredSession replica = new StoredSession("id-1");
		replica.lastAccessedTime = 100;
		replica.attributes.put("a", new byte[] { 1 });
		replica.attributes.put("b", new byte[] { 2 });
		StoredSession.Changes changes = new StoredSession.Changes();
		changes.lastAccessedTime = 50L;
		changes.attributes.put("b", null);
		changes.attributes.put("c", new byte[] { 3 });
		changes.applyTo(replica);
		assertThat(replica.lastAccessedTime).isEqualTo(100);
		assertThat(replica.attributes).containsOnlyKeys("a", "c");
	}

	@Test
	void indexEntriesPruneExpiredSessionsAndReadCorruptBytesAsEmpty() {
		IndexEntries index = IndexEntries.empty().put("h1", 10).put("h2", 30);
		IndexEntries read = IndexEntries.decode(index.encode()).prune(20);
		assertThat(read.entries).containsOnlyKeys("h2");
		assertThat(IndexEntries.decode(new byte[] { 1, 0, 0, 0, 5 }).entries).isEmpty();
	}

}
