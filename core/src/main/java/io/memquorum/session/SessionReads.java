package io.memquorum.session;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

import io.memquorum.engine.Completions;
import io.memquorum.engine.QuorumNotReachedException;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReadStamp;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.signing.IdCipher;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.session.MapSession;

/**
 * The reads of the session store: a session from a majority of its replicas (or, when no
 * majority can answer, from the first replica that can), decoded and checked, and its
 * attributes when the application first reads them. Stored bytes are untrusted input:
 * what cannot be read is counted, logged without the id, and read as absent.
 */
final class SessionReads {

	/** Under the repository's name, where operators look for the store's warnings. */
	private static final Logger logger = LoggerFactory.getLogger(ReplicatedSessionRepository.class);

	private final ReplicatedSessionRepository repository;

	private final ReplicatedMemcached engine;

	private final LongAdder unreadableSessions = new LongAdder();

	private final LongAdder unreadableAttributes = new LongAdder();

	private final LongAdder unreachableReads = new LongAdder();

	SessionReads(ReplicatedSessionRepository repository, ReplicatedMemcached engine) {
		this.repository = repository;
		this.engine = engine;
	}

	long unreadableSessions() {
		return this.unreadableSessions.sum();
	}

	long unreadableAttributes() {
		return this.unreadableAttributes.sum();
	}

	long unreachableReads() {
		return this.unreachableReads.sum();
	}

	/**
	 * What the replicas hold for a session: a majority read, or when no majority can
	 * answer, the first replica that can.
	 */
	Read read(String id) {
		return Completions.await(readAsync(id));
	}

	/**
	 * As {@link #read(String)}, without waiting: the reactive repository's read and the
	 * servlet one's are this one.
	 */
	CompletableFuture<Read> readAsync(String id) {
		String hash = SessionKeys.sha256(id);
		String key = this.repository.sessionKeyOfHash(hash);
		CompletableFuture<Read> majority = this.engine.getStampedAsync(key)
			.thenApply((read) -> decoded(id, hash, read.value(), false, read.stamp()));
		return SessionFutures.onQuorumLost(majority,
				() -> SessionFutures.recover(this.engine.getAsync(key, ReadConsistency.FIRST_HIT)
					.thenApply((bytes) -> decoded(id, hash, bytes, true, ReadStamp.NONE)), (failure) -> {
						if (!(failure instanceof QuorumNotReachedException lost)) {
							return CompletableFuture.failedFuture(failure);
						}
						this.unreachableReads.increment();
						if (this.repository.isDegradeWhenUnreachable()) {
							logger.warn("No memcached replica could answer for session {}; treating it as absent: {}",
									SessionKeys.describe(id), failure.getMessage());
							return CompletableFuture.completedFuture(new Read(null, null, hash, true, ReadStamp.NONE));
						}
						return CompletableFuture.failedFuture(new SessionStoreUnavailableException(
								"No memcached replica could answer for session " + SessionKeys.describe(id), lost));
					}));
	}

	private Read decoded(String id, String hash, byte @Nullable [] bytes, boolean fromMinority, ReadStamp stamp) {
		if (bytes == null) {
			return new Read(null, null, hash, fromMinority, stamp);
		}
		StoredSession stored = decode(id, bytes);
		boolean resealId = false;
		if (stored != null && !stored.isEnded()) {
			IdCipher.Opened opened = this.repository.idSeal().opened(stored.sealedId);
			if (opened == null || !id.equals(opened.id())) {
				countUnreadable(id, "the stored session carries another id");
				return new Read(null, null, hash, fromMinority, stamp);
			}
			// Sealed under a key being retired: the next save seals it under the first.
			resealId = !opened.byFirstKey();
		}
		return new Read(stored, bytes, hash, fromMinority, stamp, resealId);
	}

	/**
	 * What a majority read found.
	 *
	 * @param stored the merged stored session, or {@code null}
	 * @param bytes the payload {@code stored} was decoded from
	 * @param idHash the SHA-256 of the session id
	 * @param fromMinority whether fewer than a majority answered (the fallback)
	 * @param stamp what each replica held, for the save that follows
	 * @param resealId whether the id is sealed under a key other than the one that seals
	 * now, so that the next save seals it again
	 */
	record Read(@Nullable StoredSession stored, byte @Nullable [] bytes, String idHash, boolean fromMinority,
			ReadStamp stamp, boolean resealId) {

		Read(@Nullable StoredSession stored, byte @Nullable [] bytes, String idHash, boolean fromMinority,
				ReadStamp stamp) {
			this(stored, bytes, idHash, fromMinority, stamp, false);
		}

	}

	/**
	 * Decode a stored session, counting it as unreadable when it cannot be.
	 * @param id the session id, or {@code null} when it was found through an index
	 * @param bytes the payload
	 * @return the stored session, or {@code null} when unreadable
	 */
	@Nullable StoredSession decode(@Nullable String id, byte[] bytes) {
		try {
			StoredSession stored = StoredSession.decode(bytes);
			this.repository.clock().observe(stored.maxVersion());
			if (!stored.isEnded() && !stored.isComplete()) {
				throw new SessionSerializationException("Stored session is incomplete");
			}
			return stored;
		}
		catch (RuntimeException | OutOfMemoryError | StackOverflowError ex) {
			// Stored bytes are untrusted: whatever they make decoding throw, the user
			// gets a new session rather than a failed request.
			countUnreadable(id, ex.getMessage());
			return null;
		}
	}

	/**
	 * Deserialize one stored attribute, when the application first reads it. Stored bytes
	 * are untrusted: an attribute that cannot be read (its class changed or is not
	 * allowed, or the bytes were crafted) reads as absent, and is counted and logged.
	 * @param id the session id
	 * @param name the attribute name
	 * @param bytes the attribute as stored
	 * @return the value, or {@code null} when it cannot be read
	 */
	@Nullable Object decodeAttribute(String id, String name, byte[] bytes) {
		try {
			return this.repository.serializer().deserialize(bytes);
		}
		catch (RuntimeException | OutOfMemoryError | StackOverflowError ex) {
			this.unreadableAttributes.increment();
			logger.warn("Attribute '{}' of session {} cannot be read and is treated as absent: {}", name,
					SessionKeys.describe(id), ex.getMessage());
			return null;
		}
	}

	private void countUnreadable(@Nullable String id, @Nullable String reason) {
		this.unreadableSessions.increment();
		logger.warn("Session {} cannot be read and is treated as absent; the user gets a new session: {}",
				(id != null) ? SessionKeys.describe(id) : "listed in an index", reason);
	}

	/**
	 * Turn a stored session into a session, or {@code null} when its metadata cannot be
	 * used. Attributes stay serialized until the application reads them.
	 */
	@Nullable ReplicatedSession toSession(String id, StoredSession stored, byte @Nullable [] storedBytes, @Nullable String idHash,
			boolean fromMinority, ReadStamp stamp) {
		try {
			MapSession cached = new MapSession(id);
			cached.setCreationTime(Instant.ofEpochMilli(stored.creationTime.value));
			cached.setLastAccessedTime(Instant.ofEpochMilli(stored.lastAccessedTime.value));
			cached.setMaxInactiveInterval(Duration.ofSeconds(stored.maxInactiveSeconds.value));
			return new ReplicatedSession(this.repository, cached,
					new ReplicatedSession.Stored(stored, storedBytes, idHash), fromMinority, stamp);
		}
		catch (RuntimeException | OutOfMemoryError | StackOverflowError ex) {
			// Stored bytes are untrusted: whatever they make decoding throw, the user
			// gets a new session rather than a failed request.
			countUnreadable(id, ex.getMessage());
			return null;
		}
	}

}
