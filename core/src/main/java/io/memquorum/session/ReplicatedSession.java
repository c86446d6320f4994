package io.memquorum.session;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.memquorum.engine.Completions;
import io.memquorum.engine.QuorumNotReachedException;
import io.memquorum.engine.ReadStamp;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.session.FlushMode;
import org.springframework.session.MapSession;
import org.springframework.session.SaveMode;
import org.springframework.session.Session;
import org.springframework.session.events.SessionCreatedEvent;

/**
 * A session read from, or to be written to, the replicas. Records what changed since it
 * was read, each change with the version of the moment it was made.
 */
public final class ReplicatedSession implements Session {

	private static final Logger logger = LoggerFactory.getLogger(ReplicatedSession.class);

	private final ReplicatedSessionRepository repository;

	private final MapSession cached;

	/** What this session knows the replicas hold: as read, plus its own saves. */
	private StoredSession known;

	/**
	 * The payload {@link #known} was read from, while it is that: replicas that still
	 * hold exactly these bytes take the save's merge without decoding them again.
	 */
	private byte @Nullable [] knownBytes;

	/** The id the session is stored under, {@code null} while new. */
	private @Nullable String storedId;

	/** The SHA-256 of {@link #storedId}, once known. */
	private @Nullable String storedIdHash;

	/** The index values the replicas list this session under. */
	private Map<String, String> storedIndexes;

	/**
	 * Attributes as stored and not yet asked for, by name: each is deserialized when the
	 * application first reads it, so a request pays only for the attributes it uses.
	 */
	private final Map<String, byte[]> undecoded;

	/** While the index resolver reads attributes: its reads are not the application's. */
	private boolean resolvingIndexes;

	/** Changed attributes, by name, with the version of their change. */
	private final Map<String, Long> changedAttributes = new LinkedHashMap<>();

	private long lastAccessedTimeVersion;

	private long maxInactiveIntervalVersion;

	/** Read from fewer than a majority of replicas: the quorum was not reachable. */
	private final boolean readFromMinority;

	/**
	 * Whether the stored id is sealed under a signing key other than the one that seals
	 * now (a rotation is under way): the next save seals it again.
	 */
	private boolean resealId;

	/** What each replica held when read; the first save starts from it. */
	private ReadStamp stamp;

	ReplicatedSession(ReplicatedSessionRepository repository, MapSession cached, @Nullable Stored stored,
			boolean readFromMinority, ReadStamp stamp) {
		this.stamp = stamp;
		this.repository = repository;
		this.cached = cached;
		this.readFromMinority = readFromMinority;
		if (stored != null) {
			this.known = stored.session();
			this.knownBytes = stored.bytes();
			this.undecoded = stored.session().liveAttributes();
			this.storedId = cached.getId();
			this.storedIdHash = stored.idHash();
			this.storedIndexes = stored.session().indexes;
		}
		else {
			this.known = StoredSession.withSealedId(repository.idSeal().seal(cached.getId()));
			this.undecoded = new LinkedHashMap<>();
			this.storedIndexes = Map.of();
		}
	}

	/**
	 * Seal the id again under the current signing key with the next save, which then
	 * writes even when the request changed nothing else.
	 */
	void resealIdOnSave() {
		this.resealId = true;
	}

	Map<String, String> storedIndexes() {
		return this.storedIndexes;
	}

	boolean isNew() {
		return this.storedId == null;
	}

	@Override
	public String getId() {
		return this.cached.getId();
	}

	@Override
	public String changeSessionId() {
		String newId = this.repository.sessionIdGenerator().generate();
		this.cached.setId(newId);
		flushImmediateIfNecessary();
		return newId;
	}

	@Override
	public <T> @Nullable T getAttribute(String name) {
		byte[] stored = this.undecoded.remove(name);
		if (stored != null) {
			Object value = this.repository.reads().decodeAttribute(getId(), name, stored);
			if (value != null) {
				this.cached.setAttribute(name, value);
			}
		}
		T value = this.cached.getAttribute(name);
		if (value != null && !this.resolvingIndexes && this.repository.saveMode() == SaveMode.ON_GET_ATTRIBUTE) {
			this.changedAttributes.put(name, this.repository.clock().next());
		}
		return value;
	}

	@Override
	public Set<String> getAttributeNames() {
		if (this.undecoded.isEmpty()) {
			return this.cached.getAttributeNames();
		}
		Set<String> names = new LinkedHashSet<>(this.cached.getAttributeNames());
		names.addAll(this.undecoded.keySet());
		return names;
	}

	@Override
	public void setAttribute(String name, @Nullable Object value) {
		this.undecoded.remove(name);
		this.cached.setAttribute(name, value);
		this.changedAttributes.put(name, this.repository.clock().next());
		flushImmediateIfNecessary();
	}

	@Override
	public void removeAttribute(String name) {
		setAttribute(name, null);
	}

	@Override
	public Instant getCreationTime() {
		return this.cached.getCreationTime();
	}

	@Override
	public void setLastAccessedTime(Instant lastAccessedTime) {
		this.cached.setLastAccessedTime(lastAccessedTime);
		this.lastAccessedTimeVersion = this.repository.clock().next();
		flushImmediateIfNecessary();
	}

	@Override
	public Instant getLastAccessedTime() {
		return this.cached.getLastAccessedTime();
	}

	@Override
	public void setMaxInactiveInterval(Duration interval) {
		this.cached.setMaxInactiveInterval(interval);
		this.maxInactiveIntervalVersion = this.repository.clock().next();
		flushImmediateIfNecessary();
	}

	@Override
	public Duration getMaxInactiveInterval() {
		return this.cached.getMaxInactiveInterval();
	}

	@Override
	public boolean isExpired() {
		return this.cached.isExpired();
	}

	void flushImmediateIfNecessary() {
		if (this.repository.flushMode() == FlushMode.IMMEDIATE) {
			save();
		}
	}

	void save() {
		Completions.await(saveAsync());
	}

	/**
	 * Write what changed since the session was read or last saved, without waiting: the
	 * servlet repository waits for this, the reactive one hands it to Reactor.
	 * @return completes when saved (or when there was nothing to save, or the session
	 * turned out logged out); fails with {@link SessionStoreUnavailableException} when a
	 * change cannot reach the write quorum
	 */
	CompletableFuture<Void> saveAsync() {
		return SessionFutures.start(this::write).handle((saved, failure) -> {
			if (failure != null) {
				Throwable cause = Completions.unwrap(failure);
				if (cause instanceof QuorumNotReachedException lost) {
					throw new CompletionException(new SessionStoreUnavailableException(
							"Cannot save session " + SessionKeys.describe(getId()) + ": the write quorum is lost",
							lost));
				}
				throw SessionFutures.rethrow(cause);
			}
			if (saved) {
				saved();
			}
			return null;
		});
	}

	/**
	 * Start the writes of a save.
	 * @return whether something was stored, so that the session now knows it
	 */
	private CompletableFuture<Boolean> write() {
		long now = System.currentTimeMillis();
		Map<String, String> indexes = resolveIndexes();
		SessionWrites writes = this.repository.writes();
		if (isNew()) {
			this.repository.requireWriteQuorum("create", getId());
			StoredSession all = everything(indexes);
			return writes.saveNew(getId(), all, now).thenApply((written) -> {
				this.known = all;
				this.knownBytes = null;
				this.repository.eventPublisher().publishEvent(new SessionCreatedEvent(this.repository, this));
				return true;
			});
		}
		if (!getId().equals(this.storedId)) {
			this.repository.requireWriteQuorum("change the id of", this.storedId);
			// The stamp describes the replicas' items under the old id: a later save
			// under
			// the new id must read them, not take the old key's items (which do not even
			// verify under the new key when entries are signed) for its own.
			this.stamp = ReadStamp.NONE;
			return writes
				.saveChangedId(this.storedId, getId(), change(indexes, now), this.storedIndexes, indexedUntil(now), now)
				.thenApply((moved) -> {
					if (moved == null) {
						return false;
					}
					this.known = moved;
					this.knownBytes = null;
					return true;
				});
		}
		StoredSession change = change(indexes, now);
		if (change.isEmptyChange()) {
			return CompletableFuture.completedFuture(false);
		}
		boolean quorumReachable = this.repository.engine().isWriteQuorumReachable();
		if (onlyTouchesAccess(change) && (this.readFromMinority || !quorumReachable)) {
			deferAccessUpdate("the memcached write quorum is out of reach");
			return CompletableFuture.completedFuture(false);
		}
		this.repository.requireWriteQuorum("save", getId());
		StoredSession expected = this.known.copy().mergeFrom(change, this.repository.idSeal());
		ReadStamp stamp = this.stamp;
		this.stamp = ReadStamp.NONE;
		return SessionFutures.recover(writes.saveChange(getId(), storedIdHash(),
				new SessionChange(this.known, this.knownBytes, change, expected), this.storedIndexes, stamp, now)
			.thenApply((stored) -> {
				if (stored) {
					this.known = expected;
					this.knownBytes = null;
				}
				return stored;
			}), (failure) -> {
				if (failure instanceof QuorumNotReachedException && onlyTouchesAccess(change)) {
					deferAccessUpdate(failure.getMessage());
					return CompletableFuture.completedFuture(false);
				}
				return CompletableFuture.failedFuture(failure);
			});
	}

	/** The replicas now hold what this session knows: start recording changes anew. */
	private void saved() {
		if (!getId().equals(this.storedId)) {
			this.storedId = getId();
			this.storedIdHash = null;
		}
		this.storedIndexes = this.known.indexes;
		this.changedAttributes.clear();
		this.resealId = false;
		this.lastAccessedTimeVersion = 0;
		this.maxInactiveIntervalVersion = 0;
	}

	/** The SHA-256 of the id the session is stored under. */
	private String storedIdHash() {
		String hash = this.storedIdHash;
		if (hash == null) {
			hash = SessionKeys.sha256(this.storedId);
			this.storedIdHash = hash;
		}
		return hash;
	}

	/**
	 * A session as read: what it decoded to, the bytes it was read from, and the hash of
	 * its id.
	 *
	 * @param session the stored session
	 * @param bytes the payload it was decoded from, or {@code null}
	 * @param idHash the SHA-256 of its id, or {@code null} when not computed yet
	 */
	record Stored(StoredSession session, byte @Nullable [] bytes, @Nullable String idHash) {

	}

	/**
	 * Quorum lost: a request that only read its session keeps working; its last access
	 * time is written by the next save that reaches the quorum.
	 */
	private void deferAccessUpdate(@Nullable String reason) {
		this.repository.accessUpdateDeferred();
		logger.debug("Last access of session {} not written: {}", SessionKeys.describe(getId()), reason);
	}

	private boolean onlyTouchesAccess(StoredSession change) {
		return change.attributes.isEmpty() && change.maxInactiveSeconds.version == 0 && change.indexesVersion == 0;
	}

	/** A new session: every field, each with a version of now. */
	private StoredSession everything(Map<String, String> indexes) {
		long version = this.repository.clock().next();
		StoredSession all = StoredSession.withSealedId(this.repository.idSeal().seal(getId()));
		all.creationTime.set(version, getCreationTime().toEpochMilli());
		all.lastAccessedTime.set(Math.max(version, this.lastAccessedTimeVersion), getLastAccessedTime().toEpochMilli());
		all.maxInactiveSeconds.set(version, getMaxInactiveInterval().toSeconds());
		if (!indexes.isEmpty()) {
			all.indexesVersion = version;
			all.indexes = new TreeMap<>(indexes);
			all.indexedUntil = indexedUntil(System.currentTimeMillis());
		}
		for (String name : getAttributeNames()) {
			all.attributes.put(name, new StoredSession.Attribute(this.changedAttributes.getOrDefault(name, version),
					this.repository.serializer().serialize(this.cached.getAttribute(name))));
		}
		return all;
	}

	/** What this request changed, and nothing else. */
	private StoredSession change(Map<String, String> indexes, long now) {
		StoredSession change = StoredSession.delta();
		if (this.resealId) {
			change.sealedId = this.repository.idSeal().seal(getId());
		}
		if (this.repository.saveMode() == SaveMode.ALWAYS) {
			// Every attribute is written by every save, as of the save.
			long version = this.repository.clock().next();
			getAttributeNames().forEach((name) -> this.changedAttributes.putIfAbsent(name, version));
		}
		this.changedAttributes.forEach((name, version) -> {
			// Not read by the application (SaveMode.ALWAYS): its stored bytes, as they
			// are.
			byte[] serialized = this.undecoded.get(name);
			if (serialized == null) {
				Object value = this.cached.getAttribute(name);
				serialized = (value != null) ? this.repository.serializer().serialize(value) : null;
			}
			change.attributes.put(name, new StoredSession.Attribute(version, serialized));
		});
		if (this.lastAccessedTimeVersion != 0) {
			change.lastAccessedTime.set(this.lastAccessedTimeVersion, getLastAccessedTime().toEpochMilli());
		}
		if (this.maxInactiveIntervalVersion != 0) {
			change.maxInactiveSeconds.set(this.maxInactiveIntervalVersion, getMaxInactiveInterval().toSeconds());
		}
		boolean indexesChanged = !indexes.equals(this.storedIndexes);
		if (indexesChanged) {
			change.indexesVersion = this.repository.clock().next();
			change.indexes = new TreeMap<>(indexes);
		}
		if (!indexes.isEmpty()
				&& (indexesChanged || !getId().equals(this.storedId) || expiresAt() > this.known.indexedUntil)) {
			change.indexedUntil = indexedUntil(now);
		}
		return change;
	}

	private Map<String, String> resolveIndexes() {
		Map<String, String> resolved;
		this.resolvingIndexes = true;
		try {
			resolved = this.repository.indexResolver().resolveIndexesFor(this);
		}
		finally {
			this.resolvingIndexes = false;
		}
		Map<String, String> indexes = new TreeMap<>();
		resolved.forEach((name, value) -> {
			if (name != null && value != null) {
				indexes.put(name, value);
			}
		});
		return indexes;
	}

	private long expiresAt() {
		Duration interval = getMaxInactiveInterval();
		if (interval.isNegative()) {
			return Long.MAX_VALUE;
		}
		return getLastAccessedTime().toEpochMilli() + interval.toMillis();
	}

	/**
	 * Until when index entries written now may list this session: twice its lifetime, so
	 * that a save refreshes them at most once per max inactive interval, and never before
	 * this session expires.
	 */
	private long indexedUntil(long now) {
		Duration interval = getMaxInactiveInterval();
		if (interval.isNegative()) {
			return Long.MAX_VALUE;
		}
		return Math.max(now, getLastAccessedTime().toEpochMilli()) + 2 * interval.toMillis();
	}

}
