package io.memquorum.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReadStamp;
import io.memquorum.engine.ReplicatedMemcached;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writes of the session store: a new session, a change, a changed id, and the index
 * items that list sessions. Each method is one of the protocols the repository's class
 * documentation describes.
 */
final class SessionWrites {

	private static final Logger logger = LoggerFactory.getLogger(SessionWrites.class);

	/** memcached's per-item overhead beyond key and value, as the engine counts it. */
	private static final int ITEM_OVERHEAD = 64;

	private final ReplicatedSessionRepository repository;

	private final ReplicatedMemcached engine;

	SessionWrites(ReplicatedSessionRepository repository, ReplicatedMemcached engine) {
		this.repository = repository;
		this.engine = engine;
	}

	/**
	 * The memcached lifetime of a stored session.
	 * @param expiresAt when the stored session expires, {@link Long#MAX_VALUE} for never
	 * @param now epoch milliseconds now
	 * @return the lifetime; at least a millisecond, so that it matches the stored expiry
	 * instead of living on
	 */
	static Duration ttl(long expiresAt, long now) {
		if (expiresAt == Long.MAX_VALUE) {
			return Duration.ZERO;
		}
		return Duration.ofMillis(Math.max(1, expiresAt - now));
	}

	/**
	 * Write a new session whole.
	 * @param id its id
	 * @param all every field
	 * @param now epoch milliseconds now
	 */
	CompletableFuture<Void> saveNew(String id, StoredSession all, long now) {
		String key = this.repository.sessionKey(id);
		byte[] payload = all.encode();
		checkSize(key, payload, all.attributes.size());
		if (all.expiresAt() <= now) {
			// Saved already expired (a last access time set into the past): nothing may
			// outlive it.
			return this.engine.deleteAsync(key);
		}
		CompletableFuture<Void> indexed = all.indexes.isEmpty() ? SessionFutures.done()
				: addToIndexes(all.indexes, SessionKeys.sha256(id), all.indexedUntil, null);
		return indexed.thenCompose((listed) -> this.engine.setAsync(key, payload, ttl(all.expiresAt(), now)));
	}

	/**
	 * Merge one request's change into every replica's copy.
	 * @param id the session id
	 * @param idHash the SHA-256 of the session id
	 * @param save what the request read, changed and expects the replicas to hold after
	 * the save
	 * @param storedIndexes the index values the session was listed under
	 * @param stamp what each replica held when the session was read
	 * @param now epoch milliseconds now
	 * @return whether stored; {@code false} when the session was logged out or moved
	 */
	CompletableFuture<Boolean> saveChange(String id, String idHash, SessionChange save,
			Map<String, String> storedIndexes, ReadStamp stamp, long now) {
		String key = this.repository.sessionKeyOfHash(idHash);
		StoredSession expected = save.expected();
		StoredSession change = save.change();
		byte[] expectedBytes = expected.encode();
		checkSize(key, expectedBytes, expected.attributes.size());
		String hash = idHash;
		CompletableFuture<Void> indexed = (change.indexedUntil != 0)
				? addToIndexes(expected.indexes, hash, expected.indexedUntil, null) : SessionFutures.done();
		SessionIdSeal seal = this.repository.idSeal();
		SessionMerge merge = new SessionMerge(change, null, seal, now);
		if (save.readBytes() != null) {
			// Replicas that still hold what the request read merge into what it expects.
			merge.knowOutcome(save.readBytes(), save.read(), expected, expectedBytes);
		}
		return indexed.thenCompose((listed) -> this.engine.updateAsync(key, merge, merge, stamp))
			.thenCompose((stored) -> {
				if (!stored && !merge.sawEnded() && merge.sawNoCopy()) {
					if (!merge.storedSomewhere() && !merge.sawExpired()) {
						// No replica that answered holds the session. Those that hold
						// nothing
						// may have restarted empty after a logout whose tombstones sit on
						// the
						// replicas that did not answer: filling them could bring the
						// session
						// back, not saving cannot. (An expired session is never filled.)
						throw new SessionStoreUnavailableException("Cannot save session " + SessionKeys.describe(id)
								+ ": no memcached replica that answered holds it, and a logout cannot be ruled out");
					}
					// Too few replicas hold a copy (restarted empty): fill them from what
					// this request knows; its field versions lose to anything newer a
					// replica receives later. The first update heard from every replica
					// (it returned false), some stored it, and none held a tombstone or a
					// logout's mark.
					SessionMerge fill = new SessionMerge(change, expected, seal, now);
					return this.engine.updateAsync(key, fill, fill, ReadStamp.NONE)
						.thenCompose(
								(filled) -> afterSave(id, key, filled, fill, change, expected, storedIndexes, hash));
				}
				return afterSave(id, key, stored, merge, change, expected, storedIndexes, hash);
			});
	}

	private CompletableFuture<Boolean> afterSave(String id, String key, boolean stored, SessionMerge merge,
			StoredSession change, StoredSession expected, Map<String, String> storedIndexes, String hash) {
		if (!stored && merge.sawExpired() && !merge.sawEnded()) {
			// Expired as stored (its last access time was set into the past): gone, as
			// in Spring Session's own stores.
			return this.engine.deleteAsync(key).thenApply((deleted) -> true);
		}
		if (!stored || merge.sawLoggedOut()) {
			// Not stored, or stored on a quorum while some replica held a logout (its
			// tombstone or its mark): a logout is final wherever it is seen, so what this
			// save wrote is deleted again.
			return preventResurrection(id, key).thenApply((deleted) -> false);
		}
		if (merge.sawNoCopy()) {
			// A replica without a copy took nothing from this save: a majority read
			// merges the copies and repairs it from merged state, in the background.
			this.engine.getAsync(key, ReadConsistency.MAJORITY);
		}
		if (change.indexesVersion == 0) {
			return CompletableFuture.completedFuture(true);
		}
		List<CompletableFuture<Void>> removals = new ArrayList<>();
		storedIndexes.forEach((name, value) -> {
			if (!value.equals(expected.indexes.get(name))) {
				removals.add(removeFromIndex(name, value, List.of(hash)));
			}
		});
		return SessionFutures.all(removals).thenApply((removed) -> true);
	}

	/**
	 * Move a session to a new id: write it under the new id, then mark the old copy
	 * moved. A logout of the old id that races this, or comes after it, is seen by one
	 * side or the other, and the new id is deleted.
	 * @param oldId the id it was stored under
	 * @param newId the new id
	 * @param change what the request changed
	 * @param storedIndexes the index values the session was listed under
	 * @param indexedUntil until when index entries written now may list it
	 * @param now epoch milliseconds now
	 * @return the session as stored under the new id, or {@code null} when the old one
	 * was logged out
	 */
	CompletableFuture<@Nullable StoredSession> saveChangedId(String oldId, String newId, StoredSession change,
			Map<String, String> storedIndexes, long indexedUntil, long now) {
		// Sealed here, not on the engine's I/O thread where the read completes: sealing
		// reads the system's random source.
		byte[] sealedId = this.repository.idSeal().seal(newId);
		return this.repository.reads()
			.readAsync(oldId)
			.thenCompose((read) -> moveToNewId(oldId, sealedId, newId, read.stored(), change, storedIndexes,
					indexedUntil, now));
	}

	private CompletableFuture<@Nullable StoredSession> moveToNewId(String oldId, byte[] sealedId, String newId,
			@Nullable StoredSession current, StoredSession change, Map<String, String> storedIndexes, long indexedUntil,
			long now) {
		String oldKey = this.repository.sessionKey(oldId);
		String newKey = this.repository.sessionKey(newId);
		if (current == null || current.isEnded()) {
			// Logged out (or expired) since it was read: the new id must not bring it
			// back.
			this.repository.resurrectionPrevented();
			return CompletableFuture.completedFuture(null);
		}
		StoredSession moved = current.mergeFrom(change);
		moved.sealedId = sealedId;
		byte[] payload = moved.encode();
		checkSize(newKey, payload, moved.attributes.size());
		String oldHash = SessionKeys.sha256(oldId);
		String newHash = SessionKeys.sha256(newId);
		CompletableFuture<Void> indexed = SessionFutures.done();
		if (!moved.indexes.isEmpty()) {
			moved.indexedUntil = Math.max(moved.indexedUntil, indexedUntil);
			indexed = addToIndexes(moved.indexes, newHash, moved.indexedUntil, oldHash);
		}
		// Mark the old copy moved. A logout that ran first on a replica left its mark
		// there, and this sees it; one that runs second sees this mark and deletes the
		// new id itself.
		long version = this.repository.clock().next();
		AtomicBoolean loggedOut = new AtomicBoolean();
		return indexed.thenCompose((listed) -> this.engine.setAsync(newKey, payload, ttl(moved.expiresAt(), now)))
			.thenCompose((written) -> this.engine.updateAsync(oldKey, (held) -> {
				StoredSession copy = SessionMerge.decodeOrNull(held);
				if (copy == null) {
					return null;
				}
				if (copy.invalidated.version != 0) {
					loggedOut.set(true);
					return null;
				}
				copy.moveTo(version, newHash);
				return copy.encode();
			}, SessionMerge::expiryOf, ReadStamp.NONE))
			.thenCompose((marked) -> {
				if (!marked || loggedOut.get()) {
					return this.engine.deleteAsync(newKey).thenApply((deleted) -> {
						this.repository.resurrectionPrevented();
						return null;
					});
				}
				// The old copy stays, marked moved, until it expires: reads see no
				// session
				// there, and a logout that arrives later with the old id (a request sent
				// before the browser got the new one) follows the mark and ends the new
				// id
				// too.
				List<CompletableFuture<Void>> removals = new ArrayList<>();
				storedIndexes.forEach((name, value) -> {
					if (!value.equals(moved.indexes.get(name))) {
						removals.add(removeFromIndex(name, value, List.of(oldHash)));
					}
				});
				return SessionFutures.all(removals).thenApply((removed) -> moved);
			});
	}

	/**
	 * Log a session out: mark every copy invalidated, then write the engine's tombstone.
	 * @param id the session id
	 */
	CompletableFuture<Void> logOut(String id) {
		String key = this.repository.sessionKey(id);
		long version = this.repository.clock().next();
		String[] movedTo = new String[1];
		return this.engine.updateAsync(key, (current) -> {
			StoredSession held = SessionMerge.decodeOrNull(current);
			if (held == null) {
				return null;
			}
			if (held.movedToHash() != null) {
				movedTo[0] = held.movedToHash();
			}
			if (held.invalidated.version != 0) {
				return null;
			}
			held.invalidated.set(version, 1);
			return held.encode();
		}, SessionMerge::expiryOf, ReadStamp.NONE)
			// Delete even when nothing was found: the tombstone makes the delete final
			// on replicas that may still hold a copy.
			.thenCompose((marked) -> this.engine.deleteAsync(key))
			.thenCompose((deleted) -> {
				String moved = movedTo[0];
				return (moved != null) ? this.engine.deleteAsync(this.repository.getKeyPrefix() + moved)
						: SessionFutures.done();
			});
	}

	private CompletableFuture<Void> preventResurrection(String id, String key) {
		this.repository.resurrectionPrevented();
		logger.debug("Session {} was deleted while a request used it; its changes are dropped",
				SessionKeys.describe(id));
		// A replica that missed the delete may have taken the merge: delete again so that
		// a tombstone is everywhere.
		return this.engine.deleteAsync(key);
	}

	private void checkSize(String key, byte[] payload, int attributeCount) {
		int size = payload.length + Envelope.HEADER_SIZE + this.engine.keyEncoder().encode(key).length()
				+ ITEM_OVERHEAD;
		if (size > this.engine.maxItemSize()) {
			throw new SessionTooLargeException(size, this.engine.maxItemSize(), attributeCount);
		}
	}

	CompletableFuture<Void> addToIndexes(Map<String, String> indexes, String hash, long until,
			@Nullable String replacedHash) {
		long now = System.currentTimeMillis();
		Duration ttl = (until == Long.MAX_VALUE) ? Duration.ZERO : Duration.ofMillis(Math.max(1000, until - now));
		List<String> replaced = (replacedHash != null) ? List.of(replacedHash) : List.of();
		List<CompletableFuture<Boolean>> updates = new ArrayList<>();
		indexes.forEach((name, value) -> updates.add(this.engine.updateAsync(this.repository.indexKey(name, value),
				(current) -> IndexEntries.decode(current).prune(now).removeAll(replaced).put(hash, until).encode(),
				ttl)));
		return SessionFutures.all(updates);
	}

	/**
	 * Remove sessions from an index item; never fails (the next lookup prunes what this
	 * could not remove).
	 */
	CompletableFuture<Void> removeFromIndex(String indexName, String indexValue, List<String> hashes) {
		long now = System.currentTimeMillis();
		return SessionFutures
			.start(() -> this.engine.updateAsync(this.repository.indexKey(indexName, indexValue), (current) -> {
				if (current == null) {
					return null;
				}
				IndexEntries index = IndexEntries.decode(current).prune(now).removeAll(hashes);
				return index.encode();
			}, Duration.ofMillis(Math.max(1000, 2 * this.repository.getDefaultMaxInactiveInterval().abs().toMillis()))))
			.handle((updated, failure) -> {
				if (failure != null) {
					logger.debug("Could not remove {} sessions from an index: {}", hashes.size(), failure.getMessage());
				}
				return null;
			});
	}

}
