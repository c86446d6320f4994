package io.memquorum.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

import io.memquorum.engine.Completions;
import io.memquorum.engine.QuorumNotReachedException;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReadStamp;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.VersionClock;
import io.memquorum.signing.IdCipher;
import org.jspecify.annotations.Nullable;

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
 * this request read, whose older field versions lose to anything newer, and only when
 * some replica stored the save and none held a logout. When no replica that answered
 * holds the session, the save writes nothing and raises
 * {@link SessionStoreUnavailableException}: the replicas that did not answer may hold a
 * logout's tombstone, and filling the empty ones could bring the session back.</li>
 * <li><b>Reading.</b> {@code findById} reads a majority of the replicas
 * ({@link ReadConsistency#MAJORITY}), whatever the engine's default: a logout is stored
 * on a majority before it returns, so every later read meets it, on every application
 * instance, even one that reaches a replica the logout could not. When a majority cannot
 * answer, it falls back to the first replica that can (a read-only request keeps
 * working), and the last-access update of such a session is deferred: a save that changes
 * nothing else and cannot reach the write quorum is skipped and counted
 * ({@link #getDeferredAccessUpdateCount()}). A lookup by index reads the index item from
 * a majority as well ({@link IndexRead}), and then the sessions it lists, so that a
 * replica that missed a logout cannot make a lookup count the session.</li>
 * <li><b>Logout</b> ({@code deleteById}) first marks every replica's copy invalidated
 * with compare-and-swap, then writes the engine's tombstone. A save that meets either on
 * any replica it reaches writes nothing, and deletes again what other replicas took
 * before that answer arrived: a logout stays final while the replicas that keep its
 * tombstone are a minority (the others restarted empty).</li>
 * <li><b>Key rotation.</b> The id inside a stored session is sealed under the first
 * signing key ({@link SessionIdSeal}); a session read with a sealing another key made is
 * sealed again by its next save, and merges keep the sealing under the first key, so a
 * session saved under {@code [new, old]} is readable under {@code [new]}.</li>
 * <li><b>A changed id</b> (session fixation protection at sign-in) writes the session
 * under the new id, then marks the old copy moved (compare-and-swap); the marked copy
 * reads as absent and stays until it expires. A logout of the old id that races the
 * change, or comes after it, sees the moved mark and deletes the new id too, or the move
 * sees the logout's mark and deletes the new id itself: the two write quorums share a
 * replica, where one of them ran second.</li>
 * <li><b>Lifetimes.</b> A save stores the last access time the request set, with the
 * version of the moment it was set: the request that touched the session last wins,
 * whichever request saves last, so a long request never shortens a session a later
 * request extended. The memcached lifetime of a save is the stored expiry of the state it
 * writes.</li>
 * </ul>
 * A session that cannot be read (corrupt bytes, out-of-range metadata) counts as absent:
 * the user gets a new session, the event is counted
 * ({@link #getUnreadableSessionCount()}) and logged, never an error. Attributes are
 * deserialized when the application first reads them, as Spring Session's JDBC store
 * does: a request pays only for the attributes it uses. One that cannot be read then (its
 * class changed in a deploy or is not allowed, or its bytes were crafted) reads as
 * {@code null}, counted ({@link #getUnreadableAttributeCount()}) and logged; the rest of
 * the session stays. When no replica can answer, {@code findById} raises
 * {@link SessionStoreUnavailableException} unless
 * {@link #setDegradeWhenUnreachable(boolean)} is set; a save that must change the session
 * and cannot reach the write quorum raises it too.
 *
 * <p>
 * {@link SessionCreatedEvent} is published when a new session is first saved and
 * {@link SessionDeletedEvent} when one is deleted. memcached cannot report expiry, so no
 * {@code SessionExpiredEvent} is ever published.
 */
public class ReplicatedSessionRepository implements FindByIndexNameSessionRepository<ReplicatedSession> {

	/** The key prefix used unless {@link #setKeyPrefix(String)} says otherwise. */
	public static final String DEFAULT_KEY_PREFIX = "session:";

	/** The infix between the key prefix and the hash of an index item. */
	public static final String INDEX_INFIX = "index:";

	private final ReplicatedMemcached engine;

	private volatile SessionIdSeal idSeal = new SessionIdSeal(null);

	private Duration defaultMaxInactiveInterval = MapSession.DEFAULT_MAX_INACTIVE_INTERVAL;

	private String keyPrefix = DEFAULT_KEY_PREFIX;

	private FlushMode flushMode = FlushMode.ON_SAVE;

	private SaveMode saveMode = SaveMode.ON_SET_ATTRIBUTE;

	private SessionAttributeSerializer serializer = new JdkSessionAttributeSerializer();

	private ApplicationEventPublisher eventPublisher = (event) -> {
	};

	private IndexResolver<Session> indexResolver = new DelegatingIndexResolver<>(new PrincipalNameIndexResolver<>());

	// Not UuidSessionIdGenerator: its UUID.randomUUID() reads a file on the event loop
	// when a WebFlux session changes its id.
	private SessionIdGenerator sessionIdGenerator = new RandomUuidSessionIdGenerator();

	private boolean degradeWhenUnreachable;

	private final LongAdder resurrectionsPrevented = new LongAdder();

	private final LongAdder deferredAccessUpdates = new LongAdder();

	private final VersionClock clock;

	private final SessionWrites writes;

	private final SessionReads reads;

	/**
	 * Create a repository on an engine.
	 * @param engine the replicated memcached to store sessions in
	 */
	public ReplicatedSessionRepository(ReplicatedMemcached engine) {
		if (engine == null) {
			throw new IllegalArgumentException("engine must not be null");
		}
		this.engine = engine;
		this.clock = engine.versionClock();
		registerMerges(DEFAULT_KEY_PREFIX);
		this.writes = new SessionWrites(this, engine);
		this.reads = new SessionReads(this, engine);
	}

	/**
	 * Encrypt the session id inside every stored session (keys and index entries carry
	 * only its SHA-256); without a cipher it is stored in clear. A copy whose id no
	 * configured key opens reads as a miss.
	 * @param idCipher the cipher, from the signing keys; {@code null} for none
	 */
	public void setIdCipher(@Nullable IdCipher idCipher) {
		this.idSeal = new SessionIdSeal(idCipher);
	}

	SessionIdSeal idSeal() {
		return this.idSeal;
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
		this.engine.removeMergeUnder(this.keyPrefix);
		this.engine.removeMergeUnder(this.keyPrefix + INDEX_INFIX);
		this.keyPrefix = keyPrefix;
		registerMerges(keyPrefix);
	}

	/**
	 * Sessions merge field by field wherever the engine copies them; index items merge
	 * into the union of the sessions they list.
	 */
	private void registerMerges(String keyPrefix) {
		this.engine.mergeUnder(keyPrefix, new SessionEntryMerge(this::idSeal));
		this.engine.mergeUnder(keyPrefix + INDEX_INFIX, IndexEntryMerge.INSTANCE);
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
	 * Sessions found but unreadable (corrupt or crafted bytes, an incomplete copy, or a
	 * stored id that does not match), each read as absent. An attribute that cannot be
	 * read leaves the session readable: see {@link #getUnreadableAttributeCount()}.
	 * @return the count since start
	 */
	public long getUnreadableSessionCount() {
		return this.reads.unreadableSessions();
	}

	/**
	 * Attributes found but unreadable when the application read them (their class changed
	 * or is not allowed, or the bytes were crafted), each read as absent.
	 * @return the count since start
	 */
	public long getUnreadableAttributeCount() {
		return this.reads.unreadableAttributes();
	}

	/**
	 * Lookups that no replica could answer.
	 * @return the count since start
	 */
	public long getUnreachableReadCount() {
		return this.reads.unreachableReads();
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
		ReplicatedSession session = newSession();
		session.flushImmediateIfNecessary();
		return session;
	}

	/** A new session, not written yet. */
	ReplicatedSession newSession() {
		MapSession cached = new MapSession(this.sessionIdGenerator);
		cached.setMaxInactiveInterval(this.defaultMaxInactiveInterval);
		return new ReplicatedSession(this, cached, null, false, ReadStamp.NONE);
	}

	@Override
	public void save(ReplicatedSession session) {
		session.save();
	}

	@Override
	public @Nullable ReplicatedSession findById(String id) {
		return Completions.await(findByIdAsync(id));
	}

	CompletableFuture<@Nullable ReplicatedSession> findByIdAsync(String id) {
		return this.reads.readAsync(id).thenApply((read) -> sessionOf(id, read));
	}

	private @Nullable ReplicatedSession sessionOf(String id, SessionReads.Read read) {
		if (read.stored() == null || read.stored().isEnded()) {
			return null;
		}
		ReplicatedSession session = this.reads.toSession(id, read.stored(), read.bytes(), read.idHash(),
				read.fromMinority(), read.stamp());
		if (session == null || session.isExpired()) {
			return null;
		}
		if (read.resealId()) {
			session.resealIdOnSave();
		}
		return session;
	}

	@Override
	public void deleteById(String id) {
		Completions.await(deleteByIdAsync(id));
	}

	CompletableFuture<Void> deleteByIdAsync(String id) {
		return this.reads.readAsync(id).thenCompose((read) -> {
			StoredSession found = read.stored();
			ReplicatedSession session = (found != null && !found.isEnded())
					? this.reads.toSession(id, found, null, null, false, ReadStamp.NONE) : null;
			requireWriteQuorum("log out", id);
			return SessionFutures
				.recover(this.writes.logOut(id),
						(failure) -> CompletableFuture.failedFuture(
								(failure instanceof QuorumNotReachedException lost)
										? new SessionStoreUnavailableException("Cannot log out session "
												+ SessionKeys.describe(id) + ": the write quorum is lost", lost)
										: failure))
				.thenCompose((loggedOut) -> {
					if (session == null) {
						return SessionFutures.done();
					}
					String hash = SessionKeys.sha256(id);
					List<CompletableFuture<Void>> removals = new ArrayList<>();
					session.storedIndexes()
						.forEach(
								(name, value) -> removals.add(this.writes.removeFromIndex(name, value, List.of(hash))));
					return SessionFutures.all(removals)
						.thenRun(() -> this.eventPublisher.publishEvent(new SessionDeletedEvent(this, session)));
				});
		});
	}

	@Override
	public Map<String, ReplicatedSession> findByIndexNameAndIndexValue(String indexName, String indexValue) {
		return Completions.await(findByIndexNameAndIndexValueAsync(indexName, indexValue));
	}

	CompletableFuture<Map<String, ReplicatedSession>> findByIndexNameAndIndexValueAsync(String indexName,
			String indexValue) {
		String indexKey = indexKey(indexName, indexValue);
		return IndexRead.entries(this.engine, indexKey).thenCompose((entries) -> {
			IndexEntries index = entries.prune(System.currentTimeMillis());
			if (index.entries.isEmpty()) {
				return CompletableFuture.completedFuture(Collections.emptyMap());
			}
			Map<String, String> hashByKey = new LinkedHashMap<>();
			for (String hash : index.entries.keySet()) {
				hashByKey.put(this.keyPrefix + hash, hash);
			}
			return readSessions(hashByKey.keySet())
				.thenCompose((found) -> listed(indexName, indexValue, hashByKey, found));
		});
	}

	/**
	 * The sessions an index lists that are still there and still listed under the value;
	 * the others are removed from the index item.
	 */
	private CompletableFuture<Map<String, ReplicatedSession>> listed(String indexName, String indexValue,
			Map<String, String> hashByKey, Map<String, byte[]> found) {
		Map<String, ReplicatedSession> sessions = new LinkedHashMap<>();
		List<String> stale = new ArrayList<>();
		hashByKey.forEach((key, hash) -> {
			byte[] bytes = found.get(key);
			StoredSession stored = (bytes != null) ? this.reads.decode(null, bytes) : null;
			IdCipher.Opened opened = (stored != null) ? this.idSeal.opened(stored.sealedId) : null;
			String id = (opened != null) ? opened.id() : null;
			ReplicatedSession session = (stored != null && id != null && !stored.isEnded()
					&& hash.equals(SessionKeys.sha256(id)))
							? this.reads.toSession(id, stored, null, hash, false, ReadStamp.NONE) : null;
			if (session != null && !opened.byFirstKey()) {
				session.resealIdOnSave();
			}
			if (session == null || session.isExpired() || !indexValue.equals(session.storedIndexes().get(indexName))) {
				stale.add(hash);
			}
			else {
				sessions.put(session.getId(), session);
			}
		});
		if (stale.isEmpty()) {
			return CompletableFuture.completedFuture(sessions);
		}
		return this.writes.removeFromIndex(indexName, indexValue, stale).thenApply((removed) -> sessions);
	}

	/**
	 * The sessions an index lists, read from a majority of their replicas as
	 * {@code findById} reads one, whatever the engine's default: a replica that missed a
	 * logout (paused while it ran) must not answer alone, or concurrent-session control
	 * and {@code /actuator/sessions} count a session that is gone. When no majority can
	 * answer, the first replica that can answers, as for {@code findById}.
	 */
	private CompletableFuture<Map<String, byte[]>> readSessions(Collection<String> keys) {
		return SessionFutures.onQuorumLost(this.engine.getAllAsync(keys, ReadConsistency.MAJORITY),
				() -> this.engine.getAllAsync(keys, ReadConsistency.FIRST_HIT));
	}

	/**
	 * Fail before writing anything when the engine knows the write quorum is out of
	 * reach: a write sent anyway could reach some replicas and not others.
	 * @param what what was to be done
	 * @param id the session id
	 */
	void requireWriteQuorum(String what, String id) {
		if (!this.engine.isWriteQuorumReachable()) {
			throw new SessionStoreUnavailableException("Cannot " + what + " session " + SessionKeys.describe(id)
					+ ": too few memcached nodes are up for the write quorum");
		}
	}

	// ---- collaborators of the session and its writes

	ReplicatedMemcached engine() {
		return this.engine;
	}

	SessionReads reads() {
		return this.reads;
	}

	SessionWrites writes() {
		return this.writes;
	}

	VersionClock clock() {
		return this.clock;
	}

	SessionIdGenerator sessionIdGenerator() {
		return this.sessionIdGenerator;
	}

	IndexResolver<Session> indexResolver() {
		return this.indexResolver;
	}

	ApplicationEventPublisher eventPublisher() {
		return this.eventPublisher;
	}

	SaveMode saveMode() {
		return this.saveMode;
	}

	FlushMode flushMode() {
		return this.flushMode;
	}

	SessionAttributeSerializer serializer() {
		return this.serializer;
	}

	void accessUpdateDeferred() {
		this.deferredAccessUpdates.increment();
	}

	void resurrectionPrevented() {
		this.resurrectionsPrevented.increment();
	}

	// ---- keys

	/**
	 * The engine key a session is stored under: this repository's key prefix and the
	 * SHA-256 of its id, which does not reveal the id.
	 * @param id the session id
	 * @return the storage key
	 */
	public String storageKey(String id) {
		return sessionKey(id);
	}

	String sessionKey(String id) {
		return sessionKeyOfHash(SessionKeys.sha256(id));
	}

	String sessionKeyOfHash(String idHash) {
		return this.keyPrefix + idHash;
	}

	String indexKey(String indexName, String indexValue) {
		return this.keyPrefix + INDEX_INFIX + SessionKeys.sha256(indexName + ":" + indexValue);
	}

}
