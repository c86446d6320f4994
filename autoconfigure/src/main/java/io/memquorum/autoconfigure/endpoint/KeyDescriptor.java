package io.memquorum.autoconfigure.endpoint;

import java.time.Instant;
import java.util.List;

import io.memquorum.engine.ReplicaEntry;
import org.jspecify.annotations.Nullable;

/**
 * What {@code GET /actuator/memquorum/keys/{key}} answers: the key's store, its storage
 * key, and what each of its replicas holds. Never the value; for a session, never its id
 * (the storage key carries only the id's SHA-256).
 *
 * @param store {@code cache} or {@code session}
 * @param cache the cache name, or {@code null} for a session
 * @param storageKey the engine key the entry is stored under
 * @param replicas what each replica holds, in placement order
 */
public record KeyDescriptor(String store, @Nullable String cache, String storageKey, List<ReplicaDescriptor> replicas) {

	static KeyDescriptor of(String store, @Nullable String cache, String storageKey, List<ReplicaEntry> entries) {
		return new KeyDescriptor(store, cache, storageKey, entries.stream().map(ReplicaDescriptor::of).toList());
	}

	/**
	 * One replica of the key ({@link ReplicaEntry}).
	 *
	 * @param node {@code host:port}
	 * @param state the node's state
	 * @param readable whether reads of this key may use it now
	 * @param holds {@code VALUE}, {@code TOMBSTONE}, {@code ABSENT}, {@code NOTHING},
	 * {@code UNREADABLE}, {@code NOT_ASKED} (down) or {@code NO_ANSWER}
	 * @param version the entry's version, or -1
	 * @param expiresAt when the entry expires (ISO-8601), or {@code null}
	 * @param size the entry's payload in bytes, or -1
	 * @param problem why there is no answer or the bytes are unreadable, or {@code null}
	 */
	public record ReplicaDescriptor(String node, String state, boolean readable, String holds, long version,
			@Nullable String expiresAt, long size, @Nullable String problem) {

		static ReplicaDescriptor of(ReplicaEntry entry) {
			Instant expiresAt = entry.expiresAt();
			return new ReplicaDescriptor(entry.address().toString(), entry.state().name(), entry.readable(),
					entry.holds().name(), entry.version(), (expiresAt != null) ? expiresAt.toString() : null,
					entry.size(), entry.problem());
		}

	}

}
