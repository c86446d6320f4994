package io.memquorum.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.QuorumNotReachedException;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.VersionClock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.session.DelegatingIndexResolver;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.FlushMode;
import org.springframework.session.IndexResolver;
import org.springframework.session.MapSession;
import org.springframework.session.PrincipalNameIndexResolver;
import org.springframework.session.SaveMode;
import org.springframework.session.Session;
import org.springframework.session.SessionIdGenerator;
import org.springframework.session.UuidSessionIdGenerator;
import org.springframework.session.events.SessionCreatedEvent;
import org.springframework.session.events.SessionDeletedEvent;

/**
 * A {@link FindByIndexNameSessionRepository} that keeps sessions on the replicas of a
 * {@link ReplicatedMemcached}, so that a memcached node can restart empty, die or pause
 * without logging anybody out.
 *
 * <h2>Wire format</h2> Every item sits inside the engine's envelope (version, expiry,
 * checksum) and under the engine's own key prefix, if any.
 * <ul>
 * <li>{@code <keyPrefix><sha256(sessionId)>}, for example {@code session:3f1c...e9} (64
 * hex digits): the session ({@link StoredSession}): creation and last access time, max
 * inactive interval, the index values it is listed under, and every attribute as
 * serialized bytes, each field with the version of the write that set it, removed
 * attributes as attribute tombstones. It expires in memcached when the stored session
 * does: stored last access plus stored max inactive interval.</li>
 * <li>{@code <keyPrefix>index:<sha256(indexName + ":" + indexValue)>}: the sessions
 * listed under an index value, such as a principal name ({@link IndexEntries}), by the
 * SHA-256 of their id, each with the time until which it may be listed. It expires twice
 * the max inactive interval after the last session listed in it was written.</li>
 * </ul>
 * No key contains a session id or a principal name in clear text.
 *
 * <h2>Consistency</h2>
 * <ul>
 * <li><b>Versions</b> come from a hybrid logical clock ({@link VersionClock}) that
 * observes every version this repository reads, so a change is newer than every state its
 * writer saw, whatever the clocks of other instances say.</li>
 * <li><b>Saving.</b> Like Spring Session's Redis store, a session records what changed;
 * {@link SaveMode} decides what enters the change and {@link FlushMode} when it is
 * written. {@code save} sends only the changed fields, each with its version, and merges
 * them into each replica's own copy with the engine's compare-and-swap {@code update}.
 * The merge keeps the higher version per field, so replicas converge whatever order
 * saves, hint replays and repairs reach them. A replica with no copy (restarted empty) is
 * skipped by the save and filled by read repair from merged state; only when too few
 * replicas hold a copy for the save to reach its quorum does the save fill them from what
 * this request read, whose older field versions lose to anything newer.</li>
 * <li><b>Reading.</b> {@code findById} reads a majority of the replicas
 * ({@link ReadConsistency#MAJORITY}), whatever the engine's default: a logout is stored
 * on a majority before it returns, so every later read meets it, on every application
 * instance, even one that reaches a replica the logout could not. When a majority cannot
 * answer, it falls back to the first replica that can (a read-only request keeps
 * working), and the last-access update of such a session is deferred: a save that changes
 * nothing else and cannot reach the write quorum is skipped and counted
 * ({@link #getDeferredAccessUpdateCount()}).</li>
 * <li><b>Logout</b> ({@code deleteById}) first marks every replica's copy invalidated
 * with compare-and-swap, then writes the engine's tombstone. A save that meets either
 * writes nothing.</li>
 * <li><b>A changed id</b> (session fixation protection at sign-in) writes the session
 * under the new id, then marks the old copy moved (compare-and-swap), then deletes it. A
 * logout that races it sees the moved mark and deletes the new id too, or the move sees
 * the logout's mark and deletes the new id itself: the two write quorums share a replica,
 * where one of them ran second.</li>
 * <li><b>Lifetimes.</b> A save stores the last access time the request set, with the
 * version of the moment it was set: the request that touched the session last wins,
 * whichever request saves last, so a long request never shortens a session a later
 * request extended. The memcached lifetime of a save is the stored expiry of the state it
 * writes.</li>
 * </ul>
 * A session that cannot be read (corrupt bytes, out-of-range metadata, an attribute class
 * that changed or is not allowed) counts as absent: the user gets a new session, the
 * event is counted ({@link #getUnreadableSessionCount()}) and logged, never an error.
 * When no replica can answer, {@code findById} raises
 * {@link SessionStoreUnavailableException} unless
 * {@link #setDegradeWhenUnreachable(boolean)} is set; a save that must change the session
 * and cannot reach the write quorum raises it too.
 *
 * <p>
 * {@link SessionCreatedEvent} is published when a new session is first saved and
 * {@link SessionDeletedEvent} when one is deleted. memcached cannot report expiry, so no
 * {@code SessionExpiredEvent} is ever published.
 */
public class ReplicatedSessionRepository
		implements FindByIndexNameSessionRepository<ReplicatedSessionRepository.ReplicatedSession> {

	/** The key prefix used unless {@link #setKeyPrefix(String)} says otherwise. */
	public static final String DEFAULT_KEY_PREFIX = "session:";

	/** The infix between the key prefix and the hash of an index item. */
	public static final String INDEX_INFIX = "index:";

	private static final Logger logger = LoggerFactory.getLogger(ReplicatedSessionRepository.class);

	/** memcached's per-item overhead beyond key and value, as the engine counts it. */
	private static final int ITEM_OVERHEAD = 64;

	private final ReplicatedMemcached engine;

	private Duration defaultMaxInactiveInterval = MapSession.DEFAULT_MAX_INACTIVE_INTERVAL;

	private String keyPrefix = DEFAULT_KEY_PREFIX;

	private FlushMode flushMode = FlushMode.ON_SAVE;

	private SaveMode saveMode = SaveMode.ON_SET_ATTRIBUTE;

	private SessionAttributeSerializer serializer = new JdkSessionAttributeSerializer();

	private ApplicationEventPublisher eventPublisher = (event) -> {
	};

	private IndexResolver<Session> indexResolver = new DelegatingIndexResolver<>(new PrincipalNameIndexResolver<>());

	private SessionIdGenerator sessionIdGenerator = UuidSessionIdGenerator.getInstance();

	private boolean degradeWhenUnreachable;

	private final LongAdder unreadableSessions = new LongAdder();

	private final LongAdder unreachableReads = new LongAdder();

	private final LongAdder resurrectionsPrevented = new LongAdder();

	private final LongAdder deferredAccessUpdates = new LongAdder();

	private final VersionClock clock;

	/**
	 * Create a repository on an engine.
	 * @param engine the replicated memcached to store sessions in
	 */
	public ReplicatedSessionRepository(ReplicatedMemcached engine) {
		if (engine == null) {
			throw new IllegalArgumentException("engine must not be null");
		}
		this.engine = engine;
		this.clock = new VersionClock(System::currentTimeMillis);
	}

	/**
	 * The max inactive interval of new sessions.
	 * @param defaultMaxInactiveInterval positive; a negative one never expires
	 */
	public void setDefaultMaxInactiveInterval(Duration defaultMaxInactiveInterval) {
		if (defaultMaxInactiveInterval == null || defaultMaxInactiveInterval.isZero()) {
			throw new IllegalArgumentException(
					"defaultMaxInactiveInterval must not be null or zero, got " + defaultMaxInactiveInterval);
		}
		this.defaultMaxInactiveInterval = defaultMaxInactiveInterval;
	}

	/**
	 * The prefix of every key this repository writes, after the engine's own prefix.
	 * @param keyPrefix up to 50 characters without whitespace or control characters
	 */
	public void setKeyPrefix(String keyPrefix) {
		if (keyPrefix == null || keyPrefix.length() > 50 || keyPrefix.chars().anyMatch((c) -> c <= ' ' || c == 127)) {
			throw new IllegalArgumentException(
					"keyPrefix must be at most 50 characters without whitespace or control characters, got '"
							+ keyPrefix + "'");
		}
		this.keyPrefix = keyPrefix;
	}

	public void setFlushMode(FlushMode flushMode) {
		if (flushMode == null) {
			throw new IllegalArgumentException("flushMode must not be null");
		}
		this.flushMode = flushMode;
	}

	public void setSaveMode(SaveMode saveMode) {
		if (saveMode == null) {
			throw new IllegalArgumentException("saveMode must not be null");
		}
		this.saveMode = saveMode;
	}

	/**
	 * How attribute values become bytes; {@link JdkSessionAttributeSerializer} with its
	 * default allow-list unless set.
	 * @param serializer the serializer
	 */
	public void setSerializer(SessionAttributeSerializer serializer) {
		if (serializer == null) {
			throw new IllegalArgumentException("serializer must not be null");
		}
		this.serializer = serializer;
	}

	public void setApplicationEventPublisher(ApplicationEventPublisher eventPublisher) {
		if (eventPublisher == null) {
			throw new IllegalArgumentException("eventPublisher must not be null");
		}
		this.eventPublisher = eventPublisher;
	}

	/**
	 * Which index values a session is listed under; the principal name by default.
	 * @param indexResolver the resolver
	 */
	public void setIndexResolver(IndexResolver<Session> indexResolver) {
		if (indexResolver == null) {
			throw new IllegalArgumentException("indexResolver must not be null");
		}
		this.indexResolver = indexResolver;
	}

	public void setSessionIdGenerator(SessionIdGenerator sessionIdGenerator) {
		if (sessionIdGenerator == null) {
			throw new IllegalArgumentException("sessionIdGenerator must not be null");
		}
		this.sessionIdGenerator = sessionIdGenerator;
	}

	/**
	 * Whether {@code findById} returns no session, instead of raising
	 * {@link SessionStoreUnavailableException}, when no replica can answer. Degrading
	 * keeps pages that do not need a login working while memcached is unreachable, at the
	 * price of handing every user a new, empty session for the duration. Off by default.
	 * @param degradeWhenUnreachable whether to degrade
	 */
	public void setDegradeWhenUnreachable(boolean degradeWhenUnreachable) {
		this.degradeWhenUnreachable = degradeWhenUnreachable;
	}

	public Duration getDefaultMaxInactiveInterval() {
		return this.defaultMaxInactiveInterval;
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public FlushMode getFlushMode() {
		return this.flushMode;
	}

	public SaveMode getSaveMode() {
		return this.saveMode;
	}

	public SessionAttributeSerializer getSerializer() {
		return this.serializer;
	}

	public boolean isDegradeWhenUnreachable() {
		return this.degradeWhenUnreachable;
	}

	/**
	 * Sessions found but unreadable (corrupt, or an attribute class that changed or is
	 * not allowed), each read as absent.
	 * @return the count since start
	 */
	public long getUnreadableSessionCount() {
		return this.unreadableSessions.sum();
	}

	/**
	 * Lookups that no replica could answer.
	 * @return the count since start
	 */
	public long getUnreachableReadCount() {
		return this.unreachableReads.sum();
	}

	/**
	 * Saves that only moved the last access time and could not reach the write quorum, so
	 * were skipped.
	 * @return the count since start
	 */
	public long getDeferredAccessUpdateCount() {
		return this.deferredAccessUpdates.sum();
	}

	/**
	 * Saves that found their session deleted and wrote nothing.
	 * @return the count since start
	 */
	public long getResurrectionsPreventedCount() {
		return this.resurrectionsPrevented.sum();
	}

	// ---- SessionRepository

	@Override
	public ReplicatedSession createSession() {
		MapSession cached = new MapSession(this.sessionIdGenerator);
		cached.setMaxInactiveInterval(this.defaultMaxInactiveInterval);
		ReplicatedSession session = new ReplicatedSession(cached, null, false);
		session.flushImmediateIfNecessary();
		return session;
	}

	@Override
	public void save(ReplicatedSession session) {
		session.save();
	}

	@Override
	public @Nullable ReplicatedSession findById(String id) {
		Read read = readStored(id);
		if (read.stored == null || read.stored.isEnded()) {
			return null;
		}
		ReplicatedSession session = toSession(id, read.stored, read.fromMinority);
		if (session == null || session.isExpired()) {
			return null;
		}
		return session;
	}

	@Override
	public void deleteById(String id) {
		String key = sessionKey(id);
		StoredSession found = readStored(id).stored;
		ReplicatedSession session = (found != null && !found.isEnded()) ? toSession(id, found, false) : null;
		AtomicReference<@Nullable String> movedTo = new AtomicReference<>();
		long version = this.clock.next();
		try {
			// Marks every copy invalidated, and learns whether changeSessionId moved it.
			this.engine.update(key, (current) -> {
				StoredSession held = decodeOrNull(current);
				if (held == null) {
					return null;
				}
				if (held.movedToHash() != null) {
					movedTo.set(held.movedToHash());
				}
				if (held.invalidated.version != 0) {
					return null;
				}
				held.invalidated.set(version, 1);
				return held.encode();
			}, Duration.ofMillis(Math.max(1000, this.defaultMaxInactiveInterval.abs().toMillis())));
			// Delete even when nothing was found: the tombstone makes the delete final on
			// replicas that may still hold a copy.
			this.engine.delete(key);
			String moved = movedTo.get();
			if (moved != null) {
				this.engine.delete(this.keyPrefix + moved);
			}
		}
		catch (QuorumNotReachedException ex) {
			throw new SessionStoreUnavailableException("Cannot log out session " + SessionKeys.describe(id), ex);
		}
		if (session == null) {
			return;
		}
		String hash = sha256(id);
		session.storedIndexes.forEach((name, value) -> removeFromIndex(name, value, List.of(hash)));
		this.eventPublisher.publishEvent(new SessionDeletedEvent(this, session));
	}

	@Override
	public Map<String, ReplicatedSession> findByIndexNameAndIndexValue(String indexName, String indexValue) {
		String indexKey = indexKey(indexName, indexValue);
		IndexEntries index = IndexEntries.decode(this.engine.get(indexKey)).prune(System.currentTimeMillis());
		if (index.entries.isEmpty()) {
			return Collections.emptyMap();
		}
		Map<String, String> hashByKey = new LinkedHashMap<>();
		for (String hash : index.entries.keySet()) {
			hashByKey.put(this.keyPrefix + hash, hash);
		}
		Map<String, byte[]> found = this.engine.getAll(hashByKey.keySet());
		Map<String, ReplicatedSession> sessions = new LinkedHashMap<>();
		List<String> stale = new ArrayList<>();
		hashByKey.forEach((key, hash) -> {
			byte[] bytes = found.get(key);
			StoredSession stored = (bytes != null) ? decodeCounted(null, bytes) : null;
			String id = (stored != null) ? stored.id() : null;
			ReplicatedSession session = (stored != null && id != null && !stored.isEnded() && hash.equals(sha256(id)))
					? toSession(id, stored, false) : null;
			if (session == null || session.isExpired() || !indexValue.equals(session.storedIndexes.get(indexName))) {
				stale.add(hash);
			}
			else {
				sessions.put(session.getId(), session);
			}
		});
		if (!stale.isEmpty()) {
			removeFromIndex(indexName, indexValue, stale);
		}
		return sessions;
	}

	// ---- reading

	/**
	 * What the replicas hold for a session: a majority read, or when no majority can
	 * answer, the first replica that can.
	 */
	private Read readStored(String id) {
		String key = sessionKey(id);
		byte[] bytes;
		boolean fromMinority = false;
		try {
			bytes = this.engine.get(key, ReadConsistency.MAJORITY);
		}
		catch (QuorumNotReachedException majorityUnreachable) {
			try {
				bytes = this.engine.get(key, ReadConsistency.FIRST_HIT);
				fromMinority = true;
			}
			catch (QuorumNotReachedException ex) {
				this.unreachableReads.increment();
				if (this.degradeWhenUnreachable) {
					logger.warn("No memcached replica could answer for session {}; treating it as absent: {}",
							SessionKeys.describe(id), ex.getMessage());
					return new Read(null, true);
				}
				throw new SessionStoreUnavailableException(
						"No memcached replica could answer for session " + SessionKeys.describe(id), ex);
			}
		}
		if (bytes == null) {
			return new Read(null, fromMinority);
		}
		StoredSession stored = decodeCounted(id, bytes);
		if (stored != null && !stored.isEnded() && !id.equals(stored.id())) {
			countUnreadable(id, "the stored session carries another id");
			return new Read(null, fromMinority);
		}
		return new Read(stored, fromMinority);
	}

	private record Read(@Nullable StoredSession stored, boolean fromMinority) {

	}

	private @Nullable StoredSession decodeCounted(@Nullable String id, byte[] bytes) {
		try {
			StoredSession stored = StoredSession.decode(bytes);
			this.clock.observe(stored.maxVersion());
			if (!stored.isEnded() && !stored.isComplete()) {
				throw new SessionSerializationException("Stored session is incomplete");
			}
			return stored;
		}
		catch (SessionSerializationException ex) {
			countUnreadable(id, ex.getMessage());
			return null;
		}
	}

	private void countUnreadable(@Nullable String id, @Nullable String reason) {
		this.unreadableSessions.increment();
		logger.warn("Session {} cannot be read and is treated as absent; the user gets a new session: {}",
				(id != null) ? SessionKeys.describe(id) : "listed in an index", reason);
	}

	private static @Nullable StoredSession decodeOrNull(byte @Nullable [] bytes) {
		if (bytes == null) {
			return null;
		}
		try {
			return StoredSession.decode(bytes);
		}
		catch (SessionSerializationException ex) {
			return null;
		}
	}

	/**
	 * Turn a stored session into a session, or {@code null} when an attribute cannot be
	 * read.
	 */
	private @Nullable ReplicatedSession toSession(String id, StoredSession stored, boolean fromMinority) {
		try {
			MapSession cached = new MapSession(id);
			cached.setCreationTime(java.time.Instant.ofEpochMilli(stored.creationTime.value));
			cached.setLastAccessedTime(java.time.Instant.ofEpochMilli(stored.lastAccessedTime.value));
			cached.setMaxInactiveInterval(Duration.ofSeconds(stored.maxInactiveSeconds.value));
			stored.liveAttributes()
				.forEach((name, value) -> cached.setAttribute(name, this.serializer.deserialize(value)));
			return new ReplicatedSession(cached, stored, fromMinority);
		}
		catch (SessionSerializationException ex) {
			countUnreadable(id, ex.getMessage());
			return null;
		}
	}

	// ---- keys

	String sessionKey(String id) {
		return this.keyPrefix + sha256(id);
	}

	String indexKey(String indexName, String indexValue) {
		return this.keyPrefix + INDEX_INFIX + sha256(indexName + ":" + indexValue);
	}

	static String sha256(String value) {
		return SessionKeys.sha256(value);
	}

	// ---- writing

	static Duration ttl(long expiresAt, long now) {
		if (expiresAt == Long.MAX_VALUE) {
			return Duration.ZERO;
		}
		return Duration.ofMillis(Math.max(1, expiresAt - now));
	}

	private void checkSize(String key, byte[] payload, int attributeCount) {
		int size = payload.length + Envelope.HEADER_SIZE + this.engine.keyEncoder().encode(key).length()
				+ ITEM_OVERHEAD;
		if (size > this.engine.maxItemSize()) {
			throw new SessionTooLargeException(size, this.engine.maxItemSize(), attributeCount);
		}
	}

	private void addToIndexes(Map<String, String> indexes, String hash, long until, @Nullable String replacedHash) {
		long now = System.currentTimeMillis();
		Duration ttl = (until == Long.MAX_VALUE) ? Duration.ZERO : Duration.ofMillis(Math.max(1000, until - now));
		List<String> replaced = (replacedHash != null) ? List.of(replacedHash) : List.of();
		indexes.forEach((name, value) -> this.engine.update(indexKey(name, value),
				(current) -> IndexEntries.decode(current).prune(now).removeAll(replaced).put(hash, until).encode(),
				ttl));
	}

	private void removeFromIndex(String indexName, String indexValue, List<String> hashes) {
		long now = System.currentTimeMillis();
		try {
			this.engine.update(indexKey(indexName, indexValue), (current) -> {
				if (current == null) {
					return null;
				}
				IndexEntries index = IndexEntries.decode(current).prune(now).removeAll(hashes);
				return index.encode();
			}, Duration.ofMillis(Math.max(1000, 2 * this.defaultMaxInactiveInterval.abs().toMillis())));
		}
		catch (RuntimeException ex) {
			// The next lookup prunes what this could not remove.
			logger.debug("Could not remove {} sessions from an index: {}", hashes.size(), ex.getMessage());
		}
	}

	/**
	 * A session read from, or to be written to, the replicas. Records what changed since
	 * it was read, each change with the version of the moment it was made.
	 */
	public final class ReplicatedSession implements Session {

		private final MapSession cached;

		/** What this session knows the replicas hold: as read, plus its own saves. */
		private final StoredSession known;

		/** The id the session is stored under, {@code null} while new. */
		private @Nullable String storedId;

		/** The index values the replicas list this session under. */
		private Map<String, String> storedIndexes;

		/** Changed attributes, by name, with the version of their change. */
		private final Map<String, Long> changedAttributes = new LinkedHashMap<>();

		private long lastAccessedTimeVersion;

		private long maxInactiveIntervalVersion;

		/** Read from fewer than a majority of replicas: the quorum was not reachable. */
		private final boolean readFromMinority;

		ReplicatedSession(MapSession cached, @Nullable StoredSession stored, boolean readFromMinority) {
			this.cached = cached;
			this.readFromMinority = readFromMinority;
			if (stored != null) {
				this.known = stored;
				this.storedId = cached.getId();
				this.storedIndexes = stored.indexes;
				if (ReplicatedSessionRepository.this.saveMode == SaveMode.ALWAYS) {
					long version = ReplicatedSessionRepository.this.clock.next();
					cached.getAttributeNames().forEach((name) -> this.changedAttributes.put(name, version));
				}
			}
			else {
				this.known = StoredSession.withId(cached.getId());
				this.storedIndexes = Map.of();
			}
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
			String newId = ReplicatedSessionRepository.this.sessionIdGenerator.generate();
			this.cached.setId(newId);
			flushImmediateIfNecessary();
			return newId;
		}

		@Override
		public <T> @Nullable T getAttribute(String name) {
			T value = this.cached.getAttribute(name);
			if (value != null && ReplicatedSessionRepository.this.saveMode == SaveMode.ON_GET_ATTRIBUTE) {
				this.changedAttributes.put(name, ReplicatedSessionRepository.this.clock.next());
			}
			return value;
		}

		@Override
		public java.util.Set<String> getAttributeNames() {
			return this.cached.getAttributeNames();
		}

		@Override
		public void setAttribute(String name, @Nullable Object value) {
			this.cached.setAttribute(name, value);
			this.changedAttributes.put(name, ReplicatedSessionRepository.this.clock.next());
			flushImmediateIfNecessary();
		}

		@Override
		public void removeAttribute(String name) {
			setAttribute(name, null);
		}

		@Override
		public java.time.Instant getCreationTime() {
			return this.cached.getCreationTime();
		}

		@Override
		public void setLastAccessedTime(java.time.Instant lastAccessedTime) {
			this.cached.setLastAccessedTime(lastAccessedTime);
			this.lastAccessedTimeVersion = ReplicatedSessionRepository.this.clock.next();
			flushImmediateIfNecessary();
		}

		@Override
		public java.time.Instant getLastAccessedTime() {
			return this.cached.getLastAccessedTime();
		}

		@Override
		public void setMaxInactiveInterval(Duration interval) {
			this.cached.setMaxInactiveInterval(interval);
			this.maxInactiveIntervalVersion = ReplicatedSessionRepository.this.clock.next();
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
			if (ReplicatedSessionRepository.this.flushMode == FlushMode.IMMEDIATE) {
				save();
			}
		}

		private void save() {
			long now = System.currentTimeMillis();
			Map<String, String> indexes = resolveIndexes();
			StoredSession change = isNew() ? everything(indexes) : change(indexes, now);
			boolean onlyAccess = !isNew() && getId().equals(this.storedId) && onlyTouchesAccess(change);
			try {
				if (isNew()) {
					saveNew(change, now);
				}
				else if (!getId().equals(this.storedId)) {
					if (!saveChangedId(change, now)) {
						return;
					}
				}
				else if (!change.attributes.isEmpty() || change.lastAccessedTime.version != 0
						|| change.maxInactiveSeconds.version != 0 || change.indexesVersion != 0
						|| change.indexedUntil != 0) {
					if (!saveChange(change, now)) {
						return;
					}
				}
			}
			catch (QuorumNotReachedException ex) {
				if (onlyAccess) {
					// Quorum lost: a request that only read its session keeps working;
					// its
					// last access time is written by the next save that reaches the
					// quorum.
					ReplicatedSessionRepository.this.deferredAccessUpdates.increment();
					logger.debug("Last access of session {} not written, the write quorum is lost: {}",
							SessionKeys.describe(getId()), ex.getMessage());
					return;
				}
				throw new SessionStoreUnavailableException(
						"Cannot save session " + SessionKeys.describe(getId()) + ": the write quorum is lost", ex);
			}
			if (this.storedId != null && !getId().equals(this.storedId)) {
				this.known.sealedId = StoredSession.withId(getId()).sealedId;
			}
			this.known.mergeFrom(change);
			this.storedId = getId();
			this.storedIndexes = this.known.indexes;
			this.changedAttributes.clear();
			this.lastAccessedTimeVersion = 0;
			this.maxInactiveIntervalVersion = 0;
		}

		private boolean onlyTouchesAccess(StoredSession change) {
			return change.attributes.isEmpty() && change.maxInactiveSeconds.version == 0 && change.indexesVersion == 0;
		}

		/** A new session: every field, each with a version of now. */
		private StoredSession everything(Map<String, String> indexes) {
			long version = ReplicatedSessionRepository.this.clock.next();
			StoredSession all = StoredSession.withId(getId());
			all.creationTime.set(version, getCreationTime().toEpochMilli());
			all.lastAccessedTime.set(Math.max(version, this.lastAccessedTimeVersion),
					getLastAccessedTime().toEpochMilli());
			all.maxInactiveSeconds.set(version, getMaxInactiveInterval().toSeconds());
			if (!indexes.isEmpty()) {
				all.indexesVersion = version;
				all.indexes = new java.util.TreeMap<>(indexes);
				all.indexedUntil = indexedUntil(System.currentTimeMillis());
			}
			for (String name : getAttributeNames()) {
				all.attributes.put(name, new StoredSession.Attribute(this.changedAttributes.getOrDefault(name, version),
						ReplicatedSessionRepository.this.serializer.serialize(this.cached.getAttribute(name))));
			}
			return all;
		}

		/** What this request changed, and nothing else. */
		private StoredSession change(Map<String, String> indexes, long now) {
			StoredSession change = StoredSession.delta();
			this.changedAttributes.forEach((name, version) -> {
				Object value = this.cached.getAttribute(name);
				change.attributes.put(name, new StoredSession.Attribute(version,
						(value != null) ? ReplicatedSessionRepository.this.serializer.serialize(value) : null));
			});
			if (this.lastAccessedTimeVersion != 0) {
				change.lastAccessedTime.set(this.lastAccessedTimeVersion, getLastAccessedTime().toEpochMilli());
			}
			if (this.maxInactiveIntervalVersion != 0) {
				change.maxInactiveSeconds.set(this.maxInactiveIntervalVersion, getMaxInactiveInterval().toSeconds());
			}
			boolean indexesChanged = !indexes.equals(this.storedIndexes);
			if (indexesChanged) {
				change.indexesVersion = ReplicatedSessionRepository.this.clock.next();
				change.indexes = new java.util.TreeMap<>(indexes);
			}
			if (!indexes.isEmpty()
					&& (indexesChanged || !getId().equals(this.storedId) || expiresAt() > this.known.indexedUntil)) {
				change.indexedUntil = indexedUntil(now);
			}
			return change;
		}

		private Map<String, String> resolveIndexes() {
			Map<String, String> resolved = ReplicatedSessionRepository.this.indexResolver
				.resolveIndexesFor(this.cached);
			Map<String, String> indexes = new java.util.TreeMap<>();
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
		 * Until when index entries written now may list this session: twice its lifetime,
		 * so that a save refreshes them at most once per max inactive interval, and never
		 * before this session expires.
		 */
		private long indexedUntil(long now) {
			Duration interval = getMaxInactiveInterval();
			if (interval.isNegative()) {
				return Long.MAX_VALUE;
			}
			return Math.max(now, getLastAccessedTime().toEpochMilli()) + 2 * interval.toMillis();
		}

		private void saveNew(StoredSession all, long now) {
			String key = sessionKey(getId());
			byte[] payload = all.encode();
			checkSize(key, payload, all.attributes.size());
			if (!all.indexes.isEmpty()) {
				addToIndexes(all.indexes, sha256(getId()), all.indexedUntil, null);
			}
			ReplicatedSessionRepository.this.engine.set(key, payload, ttl(all.expiresAt(), now));
			ReplicatedSessionRepository.this.eventPublisher
				.publishEvent(new SessionCreatedEvent(ReplicatedSessionRepository.this, this));
		}

		private boolean saveChange(StoredSession change, long now) {
			String key = sessionKey(getId());
			StoredSession expected = StoredSession.decode(this.known.encode()).mergeFrom(change);
			checkSize(key, expected.encode(), expected.attributes.size());
			if (change.indexedUntil != 0) {
				addToIndexes(expected.indexes, sha256(getId()), expected.indexedUntil, null);
			}
			ReplicatedMemcached engine = ReplicatedSessionRepository.this.engine;
			SessionMerge merge = new SessionMerge(change, null);
			boolean stored = engine.update(key, merge, ttl(expected.expiresAt(), now));
			if (!stored && !merge.sawEnded() && merge.sawNoCopy()) {
				// Too few replicas hold a copy (restarted empty): fill them from what
				// this
				// request knows; its field versions lose to anything newer a replica
				// receives later.
				stored = engine.update(key, new SessionMerge(change, expected), ttl(expected.expiresAt(), now));
			}
			if (!stored) {
				preventResurrection(key);
				return false;
			}
			if (change.indexesVersion != 0) {
				String hash = sha256(getId());
				this.storedIndexes.forEach((name, value) -> {
					if (!value.equals(expected.indexes.get(name))) {
						removeFromIndex(name, value, List.of(hash));
					}
				});
			}
			return true;
		}

		private boolean saveChangedId(StoredSession change, long now) {
			ReplicatedMemcached engine = ReplicatedSessionRepository.this.engine;
			String oldId = this.storedId;
			String oldKey = sessionKey(oldId);
			String newKey = sessionKey(getId());
			StoredSession current = readStored(oldId).stored;
			if (current == null || current.isEnded()) {
				// Invalidated (or expired) since it was read: the new id must not bring
				// it back.
				ReplicatedSessionRepository.this.resurrectionsPrevented.increment();
				return false;
			}
			StoredSession moved = current.mergeFrom(change);
			moved.sealedId = StoredSession.withId(getId()).sealedId;
			byte[] payload = moved.encode();
			checkSize(newKey, payload, moved.attributes.size());
			String oldHash = sha256(oldId);
			String newHash = sha256(getId());
			if (!moved.indexes.isEmpty()) {
				addToIndexes(moved.indexes, newHash, Math.max(moved.indexedUntil, indexedUntil(now)), oldHash);
			}
			engine.set(newKey, payload, ttl(moved.expiresAt(), now));
			// Mark the old copy moved. A logout that ran first on a replica leaves its
			// mark there, and this sees it; one that runs second sees this mark and
			// deletes the new id itself.
			long version = ReplicatedSessionRepository.this.clock.next();
			AtomicReference<Boolean> loggedOut = new AtomicReference<>(false);
			boolean marked = engine.update(oldKey, (held) -> {
				StoredSession copy = decodeOrNull(held);
				if (copy == null) {
					return null;
				}
				if (copy.invalidated.version != 0) {
					loggedOut.set(true);
					return null;
				}
				copy.moveTo(version, newHash);
				return copy.encode();
			}, ttl(moved.expiresAt(), now));
			if (!marked || loggedOut.get()) {
				engine.delete(newKey);
				ReplicatedSessionRepository.this.resurrectionsPrevented.increment();
				return false;
			}
			engine.delete(oldKey);
			this.storedIndexes.forEach((name, value) -> {
				if (!value.equals(moved.indexes.get(name))) {
					removeFromIndex(name, value, List.of(oldHash));
				}
			});
			return true;
		}

		private void preventResurrection(String key) {
			ReplicatedSessionRepository.this.resurrectionsPrevented.increment();
			logger.debug("Session {} was deleted while a request used it; its changes are dropped",
					SessionKeys.describe(getId()));
			// A replica that missed the delete may have taken the merge: delete again so
			// that a tombstone is everywhere.
			ReplicatedSessionRepository.this.engine.delete(key);
		}

	}

}
