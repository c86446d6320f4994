package io.memquorum.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.QuorumNotReachedException;
import io.memquorum.engine.ReplicatedMemcached;
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
 * hex digits): the session ({@link StoredSession}): id, creation and last access time,
 * max inactive interval, the index values it is listed under, and every attribute as
 * serialized bytes. It expires in memcached when the session does: last access plus max
 * inactive interval, extended by every save.</li>
 * <li>{@code <keyPrefix>index:<sha256(indexName + ":" + indexValue)>}: the sessions
 * listed under an index value, such as a principal name ({@link IndexEntries}), by the
 * SHA-256 of their id, each with the time until which it may be listed. It expires twice
 * the max inactive interval after the last session listed in it was written.</li>
 * </ul>
 * No key contains a session id or a principal name in clear text.
 *
 * <h2>Saving</h2> Like Spring Session's Redis store, a session records a delta of what
 * changed; {@link SaveMode} decides what enters it and {@link FlushMode} when it is
 * written. {@code save} merges the delta into each replica's own copy with the engine's
 * compare-and-swap {@code update}, so concurrent requests that change different
 * attributes all persist. A replica that holds no copy (it restarted empty) receives the
 * full session. A new session is written whole. A changed id (session fixation protection
 * at login) writes the session under the new id, then deletes the old id.
 *
 * <h2>Invalidation</h2> {@code deleteById} writes a tombstone through the write quorum;
 * the engine's hints replay it to replicas that missed it, and reads stop at it. A save
 * that races with an invalidation finds the tombstone ({@code update} returns
 * {@code false}) and writes nothing; should the merge have reached a replica that missed
 * the delete, the repository deletes again, so the session never comes back.
 *
 * <h2>Reading</h2> A session that cannot be read (corrupt bytes, an attribute class that
 * changed or is not allowed) counts as absent: the user gets a new session, the event is
 * counted ({@link #getUnreadableSessionCount()}) and logged, never an error. When no
 * replica can answer, {@code findById} raises {@link SessionStoreUnavailableException}
 * unless {@link #setDegradeWhenUnreachable(boolean)} is set.
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

	/**
	 * Create a repository on an engine.
	 * @param engine the replicated memcached to store sessions in
	 */
	public ReplicatedSessionRepository(ReplicatedMemcached engine) {
		if (engine == null) {
			throw new IllegalArgumentException("engine must not be null");
		}
		this.engine = engine;
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
		ReplicatedSession session = new ReplicatedSession(cached, null);
		session.flushImmediateIfNecessary();
		return session;
	}

	@Override
	public void save(ReplicatedSession session) {
		session.save();
	}

	@Override
	public @Nullable ReplicatedSession findById(String id) {
		byte[] bytes;
		try {
			bytes = this.engine.get(sessionKey(id));
		}
		catch (QuorumNotReachedException ex) {
			this.unreachableReads.increment();
			if (this.degradeWhenUnreachable) {
				logger.warn("No memcached replica could answer for session {}; treating it as absent: {}", describe(id),
						ex.getMessage());
				return null;
			}
			throw new SessionStoreUnavailableException("No memcached replica could answer for session " + describe(id),
					ex);
		}
		if (bytes == null) {
			return null;
		}
		ReplicatedSession session = read(id, bytes);
		if (session == null || session.isExpired()) {
			return null;
		}
		return session;
	}

	@Override
	public void deleteById(String id) {
		ReplicatedSession session = findById(id);
		// Delete even when nothing was found: the tombstone makes the delete final on
		// replicas that may still hold a copy.
		this.engine.delete(sessionKey(id));
		if (session == null) {
			return;
		}
		String hash = sha256(id);
		session.stored.indexes.forEach((name, value) -> removeFromIndex(name, value, List.of(hash)));
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
			ReplicatedSession session = (bytes != null) ? read(null, bytes) : null;
			if (session == null || session.isExpired() || !indexValue.equals(session.stored.indexes.get(indexName))) {
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
	 * Turn stored bytes into a session, or {@code null} when they cannot be read.
	 * @param id the id looked up, or {@code null} when found through an index
	 * @param bytes the payload
	 * @return the session or {@code null}
	 */
	private @Nullable ReplicatedSession read(@Nullable String id, byte[] bytes) {
		try {
			StoredSession stored = StoredSession.decode(bytes);
			if (id != null && !id.equals(stored.id)) {
				throw new SessionSerializationException("Stored session carries another id");
			}
			MapSession cached = new MapSession(stored.id);
			cached.setCreationTime(Instant.ofEpochMilli(stored.creationTime));
			cached.setLastAccessedTime(Instant.ofEpochMilli(stored.lastAccessedTime));
			cached.setMaxInactiveInterval(Duration.ofSeconds(stored.maxInactiveSeconds));
			stored.attributes.forEach((name, value) -> cached.setAttribute(name, this.serializer.deserialize(value)));
			return new ReplicatedSession(cached, stored);
		}
		catch (RuntimeException | OutOfMemoryError | StackOverflowError ex) {
			// Stored bytes are untrusted: whatever they make decoding throw, the user
			// gets a new session rather than a failed request.
			this.unreadableSessions.increment();
			logger.warn("Session {} cannot be read and is treated as absent; the user gets a new session: {}",
					(id != null) ? describe(id) : "listed in an index", ex.getMessage());
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
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			return HexFormat.of().formatHex(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	}

	/**
	 * How a session is named in logs and messages: the first hex digits of its hash,
	 * never its id.
	 */
	private static String describe(String id) {
		return "#" + sha256(id).substring(0, 12);
	}

	// ---- writing

	private static Duration ttl(long expiresAt, long now) {
		if (expiresAt == Long.MAX_VALUE) {
			return Duration.ZERO;
		}
		return Duration.ofMillis(Math.max(1000, expiresAt - now));
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
		Duration ttl = ttl(until, now);
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
			}, ttl(now + 2 * this.defaultMaxInactiveInterval.abs().toMillis(), now));
		}
		catch (RuntimeException ex) {
			// The next lookup prunes what this could not remove.
			logger.debug("Could not remove {} sessions from an index: {}", hashes.size(), ex.getMessage());
		}
	}

	/**
	 * A session read from, or to be written to, the replicas. Records what changed since
	 * it was read.
	 */
	public final class ReplicatedSession implements Session {

		private final MapSession cached;

		/** What the replicas held when read, kept up to date by each save. */
		private StoredSession stored;

		/** The id the session is stored under, {@code null} while new. */
		private @Nullable String storedId;

		private final Map<String, @Nullable Object> delta = new LinkedHashMap<>();

		private boolean lastAccessedTimeChanged;

		private boolean maxInactiveIntervalChanged;

		ReplicatedSession(MapSession cached, @Nullable StoredSession stored) {
			this.cached = cached;
			if (stored != null) {
				this.stored = stored;
				this.storedId = stored.id;
				if (ReplicatedSessionRepository.this.saveMode == SaveMode.ALWAYS) {
					cached.getAttributeNames().forEach((name) -> this.delta.put(name, cached.getAttribute(name)));
				}
			}
			else {
				this.stored = new StoredSession(cached.getId());
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
				this.delta.put(name, value);
			}
			return value;
		}

		@Override
		public Set<String> getAttributeNames() {
			return this.cached.getAttributeNames();
		}

		@Override
		public void setAttribute(String name, @Nullable Object value) {
			this.cached.setAttribute(name, value);
			this.delta.put(name, value);
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
			this.lastAccessedTimeChanged = true;
			flushImmediateIfNecessary();
		}

		@Override
		public Instant getLastAccessedTime() {
			return this.cached.getLastAccessedTime();
		}

		@Override
		public void setMaxInactiveInterval(Duration interval) {
			this.cached.setMaxInactiveInterval(interval);
			this.maxInactiveIntervalChanged = true;
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

		private void flushImmediateIfNecessary() {
			if (ReplicatedSessionRepository.this.flushMode == FlushMode.IMMEDIATE) {
				save();
			}
		}

		private void save() {
			long now = System.currentTimeMillis();
			StoredSession.Changes changes = changes(now);
			StoredSession snapshot = snapshot(changes);
			if (isNew()) {
				saveNew(snapshot, now);
			}
			else if (!getId().equals(this.storedId)) {
				if (!saveChangedId(snapshot, changes, now)) {
					return;
				}
			}
			else if (!changes.isEmpty()) {
				if (!saveDelta(snapshot, changes, now)) {
					return;
				}
			}
			this.stored = snapshot;
			this.storedId = getId();
			this.delta.clear();
			this.lastAccessedTimeChanged = false;
			this.maxInactiveIntervalChanged = false;
		}

		private StoredSession.Changes changes(long now) {
			StoredSession.Changes changes = new StoredSession.Changes();
			this.delta.forEach((name, value) -> changes.attributes.put(name,
					(value != null) ? ReplicatedSessionRepository.this.serializer.serialize(value) : null));
			if (this.lastAccessedTimeChanged) {
				changes.lastAccessedTime = getLastAccessedTime().toEpochMilli();
			}
			if (this.maxInactiveIntervalChanged) {
				changes.maxInactiveSeconds = getMaxInactiveInterval().toSeconds();
			}
			Map<String, String> indexes = resolveIndexes();
			boolean indexesChanged = !indexes.equals(this.stored.indexes);
			if (indexesChanged) {
				changes.indexes = indexes;
			}
			if (!indexes.isEmpty() && (indexesChanged || isNew() || !getId().equals(this.storedId)
					|| expiresAt() > this.stored.indexedUntil)) {
				changes.indexedUntil = indexedUntil(now);
			}
			return changes;
		}

		private Map<String, String> resolveIndexes() {
			Map<String, String> resolved = ReplicatedSessionRepository.this.indexResolver
				.resolveIndexesFor(this.cached);
			Map<String, String> indexes = new LinkedHashMap<>();
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

		/** What the replicas should hold after this save, built locally. */
		private StoredSession snapshot(StoredSession.Changes changes) {
			StoredSession snapshot = new StoredSession(getId());
			snapshot.creationTime = getCreationTime().toEpochMilli();
			snapshot.lastAccessedTime = getLastAccessedTime().toEpochMilli();
			snapshot.maxInactiveSeconds = getMaxInactiveInterval().toSeconds();
			snapshot.indexedUntil = this.stored.indexedUntil;
			snapshot.indexes = new LinkedHashMap<>(this.stored.indexes);
			snapshot.attributes = new LinkedHashMap<>(this.stored.attributes);
			changes.applyTo(snapshot);
			snapshot.lastAccessedTime = getLastAccessedTime().toEpochMilli();
			// An attribute set before the session was first stored, then never changed,
			// is not in the stored bytes yet.
			for (String name : getAttributeNames()) {
				if (!snapshot.attributes.containsKey(name)) {
					snapshot.attributes.put(name,
							ReplicatedSessionRepository.this.serializer.serialize(this.cached.getAttribute(name)));
				}
			}
			return snapshot;
		}

		private void saveNew(StoredSession snapshot, long now) {
			String key = sessionKey(getId());
			byte[] payload = snapshot.encode();
			checkSize(key, payload, snapshot.attributes.size());
			String hash = sha256(getId());
			if (!snapshot.indexes.isEmpty()) {
				addToIndexes(snapshot.indexes, hash, snapshot.indexedUntil, null);
			}
			ReplicatedSessionRepository.this.engine.set(key, payload, ttl(snapshot.expiresAt(), now));
			ReplicatedSessionRepository.this.eventPublisher
				.publishEvent(new SessionCreatedEvent(ReplicatedSessionRepository.this, this));
		}

		private boolean saveDelta(StoredSession snapshot, StoredSession.Changes changes, long now) {
			String key = sessionKey(getId());
			checkSize(key, snapshot.encode(), snapshot.attributes.size());
			if (changes.indexedUntil != null) {
				addToIndexes(snapshot.indexes, sha256(getId()), snapshot.indexedUntil, null);
			}
			ReplicatedMemcached engine = ReplicatedSessionRepository.this.engine;
			boolean stored = engine.update(key, (current) -> merge(current, changes, snapshot),
					ttl(snapshot.expiresAt(), now));
			if (!stored) {
				preventResurrection(key);
				return false;
			}
			if (changes.indexes != null) {
				String hash = sha256(getId());
				this.stored.indexes.forEach((name, value) -> {
					if (!value.equals(snapshot.indexes.get(name))) {
						removeFromIndex(name, value, List.of(hash));
					}
				});
			}
			return true;
		}

		private boolean saveChangedId(StoredSession snapshot, StoredSession.Changes changes, long now) {
			ReplicatedMemcached engine = ReplicatedSessionRepository.this.engine;
			String oldKey = sessionKey(this.storedId);
			String newKey = sessionKey(getId());
			byte[] current = engine.get(oldKey);
			if (current == null) {
				// Invalidated (or expired) since it was read: the new id must not bring
				// it back.
				ReplicatedSessionRepository.this.resurrectionsPrevented.increment();
				return false;
			}
			byte[] payload = merge(current, changes, snapshot);
			StoredSession merged = StoredSession.decode(payload);
			checkSize(newKey, payload, merged.attributes.size());
			String oldHash = sha256(this.storedId);
			String newHash = sha256(getId());
			if (!snapshot.indexes.isEmpty()) {
				addToIndexes(snapshot.indexes, newHash, snapshot.indexedUntil, oldHash);
			}
			engine.set(newKey, payload, ttl(merged.expiresAt(), now));
			engine.delete(oldKey);
			this.stored.indexes.forEach((name, value) -> {
				if (!value.equals(snapshot.indexes.get(name))) {
					removeFromIndex(name, value, List.of(oldHash));
				}
			});
			return true;
		}

		/**
		 * Merge this save's changes into what one replica holds. Runs on the engine's
		 * threads, possibly several times: it only decodes and encodes bytes.
		 */
		private byte[] merge(byte @Nullable [] current, StoredSession.Changes changes, StoredSession snapshot) {
			if (current == null) {
				return snapshot.encode();
			}
			StoredSession base;
			try {
				base = StoredSession.decode(current);
			}
			catch (SessionSerializationException ex) {
				return snapshot.encode();
			}
			base.id = snapshot.id;
			changes.applyTo(base);
			return base.encode();
		}

		private void preventResurrection(String key) {
			ReplicatedSessionRepository.this.resurrectionsPrevented.increment();
			logger.debug("Session {} was deleted while a request used it; its changes are dropped", describe(getId()));
			// A replica that missed the delete may have taken the merge with a newer
			// version than the tombstone: delete again so that the newest version is a
			// tombstone everywhere.
			ReplicatedSessionRepository.this.engine.delete(key);
		}

	}

}
