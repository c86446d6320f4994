package io.memquorum.cache;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import io.memquorum.engine.Completions;
import io.memquorum.engine.MemquorumException;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.ValueTooLargeException;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.support.AbstractValueAdaptingCache;
import org.springframework.cache.support.NullValue;
import org.springframework.cache.support.SimpleValueWrapper;

/**
 * A Spring {@link org.springframework.cache.Cache} whose entries live on the replicas of
 * a {@link ReplicatedMemcached} engine.
 *
 * <h2>Storage</h2> With the configured key prefix {@code P}, cache name {@code N} and the
 * {@link CacheKeyMapper mapped} key {@code K}:
 * <ul>
 * <li>{@code P N::K} holds an entry: the {@linkplain #GENERATION_SUFFIX generation} it
 * was written in, whether it is a cached {@code null}, and the serialized value. It lives
 * for the cache's TTL.</li>
 * <li>{@code P N::#generation} holds the cache's current generation, a random 64-bit
 * number, without expiry. An entry counts only when its generation equals the current
 * one.</li>
 * <li>{@code P N::#lease:K} holds a load lease (when leases are on), for the lease
 * TTL.</li>
 * </ul>
 *
 * <h2>Consistency</h2>
 * <ul>
 * <li>The generation is a node-wide key: {@code clear()} writes it to every node, not
 * only to its placement's replicas, and returns once every node has answered or failed
 * (it succeeds when a majority of all nodes stored it). A node that missed it gets a hint
 * for the generation in the clearing instance, replayed when the node answers again.</li>
 * <li>A read asks the entry's replicas FIRST_HIT, each with one multi-get of the entry
 * and the generation, so a hit is one round trip to one replica reading two keys. The
 * entry counts when it carries the generation that same replica holds. A replica that
 * owes this instance a hint for the generation is asked last and its generation is not
 * used; a replica whose generation is older (by the version of the write that stored it)
 * than the one this instance knows is not believed (see {@link CacheGeneration}).</li>
 * <li>The rule: once {@code clear()} returns, every instance's next read sees it when
 * every node stored the new generation. Otherwise the clearing instance and every
 * instance that has already seen the new generation never go back to the old one on one
 * replica's word; an instance that has not seen it may read pre-clear entries from a node
 * that missed the clear until the hint is replayed or a majority read of the generation
 * repairs that node (hints live in the instance that wrote them). When a majority of all
 * nodes did not store it, {@code clear()} raises its failure.</li>
 * <li>A second look, with the generation read from a majority of all nodes and the entry
 * from a majority of its replicas, settles what one replica cannot: a replica without a
 * generation (it restarted empty), or an entry of another generation than its replica's
 * (the replica may not have applied a write made after a clear yet).</li>
 * <li>memcached cannot delete by prefix: old entries stay until they expire or are
 * evicted, and never match again because generations are never reused. If every copy of
 * the generation is lost, the first read or write that notices establishes the one this
 * instance remembers (or a fresh one) with an {@code add}, so entries written meanwhile
 * stay readable and no older entry comes back.</li>
 * <li>Writes are tagged with the generation this instance last saw (read again from a
 * majority of all nodes when older than a second). A write that races a clear is tagged
 * with the old generation and reads as a miss.</li>
 * <li>{@link #putIfAbsent(Object, Object)} is a memcached {@code add} through the write
 * quorum; an entry of an older generation counts as absent.</li>
 * </ul>
 *
 * <h2>Failure</h2>
 * <ul>
 * <li>Reads and writes that memcached cannot serve (no quorum, timeouts) pass through
 * when {@link MemquorumCacheConfiguration#isPassThroughOnFailure()} (the default): a read
 * is a miss, so the annotated method runs, and a write is skipped. Each is counted in
 * {@link CacheStatistics#degraded()} and logged at most every 10 seconds. With
 * pass-through off, the engine's exception reaches Spring's
 * {@code CacheErrorHandler}.</li>
 * <li>{@link #evict(Object)}, {@link #evictIfPresent(Object)} and {@link #clear()} always
 * raise their failure: skipping them would leave stale entries readable. A
 * {@code CacheErrorHandler} may choose to ignore it. {@code evictIfPresent} deletes
 * whatever its read found (it reads only to say whether the entry was there), so
 * {@code @CacheEvict(beforeInvocation = true)}, which goes through it, deletes as
 * {@code evict} does.</li>
 * <li>Stored bytes that cannot be deserialized (the class changed, it is not allowed, the
 * bytes are corrupt) are a miss, counted in {@link CacheStatistics#unreadable()} and
 * logged at a limited rate.</li>
 * <li>A value larger than memcached's item size limit is not cached, and is counted in
 * {@link CacheStatistics#oversized()}.</li>
 * </ul>
 *
 * <h2>Concurrency</h2> {@link #get(Object, Callable)} (Spring's {@code sync = true}) runs
 * at most one loader per key in this JVM at a time: the first caller loads, the others
 * wait for its result. With a lease TTL, the first caller of each JVM also takes a lease
 * in memcached (see {@link LoadLease}); the instances that lose wait, polling the cache,
 * until the value appears or the lease expires, and then load themselves.
 * {@link #retrieve(Object)} and {@link #retrieve(Object, Supplier)} never block a thread:
 * they continue on the configured executor when memcached answers, and the store of a
 * loaded value completes before the returned future does, so this JVM reads its own
 * write. A miss that {@link #retrieve(Object)} answers is completed while registered in
 * {@link MissesInHand}: a retrieve of the same key that starts meanwhile in this JVM
 * waits (at most a second) until the stages the caller ran on the answering thread are
 * done, so Spring's put of a {@code Flux}'s list, made after the first subscriber
 * cancelled, is found by the next one.
 */
public class MemquorumCache extends AbstractValueAdaptingCache {

	/** Appended to {@code prefix + name + "::"} to form the generation key. */
	public static final String GENERATION_SUFFIX = "#generation";

	/**
	 * Appended to {@code prefix + name + "::"}, then the mapped key, to form a lease key.
	 */
	public static final String LEASE_INFIX = "#lease:";

	private final String name;

	private final ReplicatedMemcached engine;

	private final MemquorumCacheConfiguration configuration;

	private final String keyPrefix;

	private final CacheStatistics statistics = new CacheStatistics();

	private final CacheProblems problems;

	private final CacheGeneration generation;

	private final EntryReads reads;

	private final @Nullable LoadLease lease;

	private final ConcurrentMap<String, CompletableFuture<@Nullable Object>> loading = new ConcurrentHashMap<>();

	private final MissesInHand missesInHand = new MissesInHand();

	public MemquorumCache(String name, ReplicatedMemcached engine, MemquorumCacheConfiguration configuration) {
		super(configuration.isAllowNullValues());
		if (name.isEmpty()) {
			throw new IllegalArgumentException("Cache name must not be empty");
		}
		this.name = name;
		this.engine = engine;
		this.configuration = configuration;
		this.keyPrefix = configuration.getKeyPrefix() + name + "::";
		this.problems = new CacheProblems(name, configuration.isPassThroughOnFailure(), this.statistics);
		this.generation = new CacheGeneration(engine.nodeWide(), this.keyPrefix + GENERATION_SUFFIX);
		this.reads = new EntryReads(engine, this.generation, configuration.getSerializer(), this.problems);
		Duration leaseTtl = configuration.getLeaseTtl();
		this.lease = (leaseTtl != null) ? new LoadLease(engine, leaseTtl, this.problems, this.statistics) : null;
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public ReplicatedMemcached getNativeCache() {
		return this.engine;
	}

	public MemquorumCacheConfiguration getConfiguration() {
		return this.configuration;
	}

	public CacheStatistics getStatistics() {
		return this.statistics;
	}

	/**
	 * The engine key under which the entry for a cache key is stored.
	 * @param key the cache key
	 * @return the storage key
	 */
	public String storageKey(Object key) {
		return storageKeyOfMapped(this.configuration.getKeyMapper().toStorageKey(key));
	}

	/**
	 * The engine key under which the entry for an already {@link CacheKeyMapper mapped}
	 * key is stored, for tools that name entries as the mapper wrote them (for example
	 * {@code #Long(42)}).
	 * @param mappedKey the key as the cache's key mapper maps it
	 * @return the storage key
	 */
	public String storageKeyOfMapped(String mappedKey) {
		return this.keyPrefix + mappedKey;
	}

	// ---- reads

	@Override
	protected @Nullable Object lookup(Object key) {
		Object value = read(storageKey(key));
		if (value != null) {
			this.statistics.recordHit();
		}
		else {
			this.statistics.recordMiss();
		}
		return value;
	}

	/**
	 * @return the store value ({@link NullValue#INSTANCE} for a cached null), or
	 * {@code null} on a miss or when memcached cannot answer and pass-through is on
	 */
	private @Nullable Object read(String storageKey) {
		try {
			return this.reads.read(storageKey);
		}
		catch (MemquorumException ex) {
			this.problems.degraded("read", ex);
			return null;
		}
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
		String storageKey = storageKey(key);
		Object cached = read(storageKey);
		if (cached != null) {
			this.statistics.recordHit();
			return (T) fromStoreValue(cached);
		}
		this.statistics.recordMiss();
		CompletableFuture<@Nullable Object> mine = new CompletableFuture<>();
		CompletableFuture<@Nullable Object> inFlight = this.loading.putIfAbsent(storageKey, mine);
		if (inFlight != null) {
			return (T) fromStoreValue(awaitLoad(key, valueLoader, inFlight));
		}
		try {
			// A load that finished just before we registered has already stored its
			// value.
			Object stored = read(storageKey);
			Object value = (stored != null) ? stored : loadUnderLease(key, storageKey, valueLoader);
			mine.complete(value);
			return (T) fromStoreValue(value);
		}
		catch (RuntimeException ex) {
			mine.completeExceptionally(ex);
			throw ex;
		}
		finally {
			this.loading.remove(storageKey, mine);
		}
	}

	private @Nullable Object awaitLoad(Object key, Callable<?> valueLoader,
			CompletableFuture<@Nullable Object> inFlight) {
		try {
			return inFlight.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new ValueRetrievalException(key, valueLoader, ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new ValueRetrievalException(key, valueLoader, ex.getCause());
		}
	}

	private @Nullable Object loadUnderLease(Object key, String storageKey, Callable<?> valueLoader) {
		if (this.lease == null) {
			return loadAndStore(key, storageKey, valueLoader);
		}
		String leaseKey = this.keyPrefix + LEASE_INFIX + storageKey.substring(this.keyPrefix.length());
		return this.lease.loadOrWait(leaseKey, () -> read(storageKey),
				() -> loadAndStore(key, storageKey, valueLoader));
	}

	private @Nullable Object loadAndStore(Object key, String storageKey, Callable<?> valueLoader) {
		Object value;
		try {
			value = valueLoader.call();
		}
		catch (Exception ex) {
			throw new ValueRetrievalException(key, valueLoader, ex);
		}
		if (value == null && !isAllowNullValues()) {
			return null;
		}
		Object storeValue = toStoreValue(value);
		write(storageKey, storeValue);
		return storeValue;
	}

	/**
	 * Spring's asynchronous lookup. A miss is answered while registered in
	 * {@link MissesInHand}: a later retrieve of the key in this JVM waits until the
	 * caller's stages that ran on the answering thread (Spring's put of a {@code Flux}'s
	 * list, for a synchronous source) are done, so it finds what they stored.
	 */
	@Override
	public CompletableFuture<?> retrieve(Object key) {
		String storageKey = storageKey(key);
		CompletableFuture<@Nullable ValueWrapper> answer = new CompletableFuture<>();
		this.missesInHand.settled(storageKey)
			.thenCompose((ignored) -> readAsync(storageKey))
			.whenComplete((value, failure) -> {
				if (failure != null) {
					answer.completeExceptionally(Completions.unwrap(failure));
				}
				else if (value != null) {
					this.statistics.recordHit();
					answer.complete(new SimpleValueWrapper(fromStoreValue(value)));
				}
				else {
					this.statistics.recordMiss();
					this.missesInHand.answer(storageKey, () -> answer.complete(null));
				}
			});
		return answer;
	}

	private CompletableFuture<@Nullable Object> readAsync(String storageKey) {
		Executor executor = this.configuration.getAsyncExecutor();
		CompletableFuture<@Nullable Object> read;
		try {
			read = this.reads.readAsync(storageKey, executor);
		}
		catch (MemquorumException ex) {
			read = CompletableFuture.failedFuture(ex);
		}
		return read.handleAsync((value, failure) -> {
			if (failure != null) {
				Throwable cause = Completions.unwrap(failure);
				if (cause instanceof MemquorumException memquorum) {
					this.problems.degraded("read", memquorum);
					return null;
				}
				throw new CompletionException(cause);
			}
			return value;
		}, executor);
	}

	/**
	 * Spring's asynchronous {@code sync = true}. Neither the read, the load nor the store
	 * blocks a thread; the returned future completes once the loaded value is stored, so
	 * a retrieve that follows it in this JVM finds it.
	 */
	@Override
	@SuppressWarnings("unchecked")
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		String storageKey = storageKey(key);
		Executor executor = this.configuration.getAsyncExecutor();
		return readAsync(storageKey).thenCompose((cached) -> {
			if (cached != null) {
				this.statistics.recordHit();
				return CompletableFuture.completedFuture((T) fromStoreValue(cached));
			}
			this.statistics.recordMiss();
			CompletableFuture<@Nullable Object> mine = new CompletableFuture<>();
			CompletableFuture<@Nullable Object> inFlight = this.loading.putIfAbsent(storageKey, mine);
			if (inFlight != null) {
				return inFlight.thenApply((value) -> (T) fromStoreValue(value));
			}
			CompletableFuture<T> loaded;
			try {
				loaded = valueLoader.get();
			}
			catch (RuntimeException ex) {
				loaded = CompletableFuture.failedFuture(ex);
			}
			loaded.handleAsync((value, failure) -> {
				if (failure != null) {
					mine.completeExceptionally(Completions.unwrap(failure));
					return null;
				}
				if (value == null && !isAllowNullValues()) {
					mine.complete(null);
					return null;
				}
				Object storeValue = toStoreValue(value);
				writeAsync(storageKey, storeValue).whenComplete((ignored, writeFailure) -> {
					if (writeFailure != null) {
						mine.completeExceptionally(Completions.unwrap(writeFailure));
					}
					else {
						mine.complete(storeValue);
					}
				});
				return null;
			}, executor);
			return mine.whenComplete((value, failure) -> this.loading.remove(storageKey, mine))
				.thenApply((value) -> (T) fromStoreValue(value));
		});
	}

	// ---- writes

	@Override
	public void put(Object key, @Nullable Object value) {
		write(storageKey(key), toStoreValue(value));
	}

	private void write(String storageKey, Object storeValue) {
		Completions.await(writeAsync(storageKey, storeValue));
	}

	/**
	 * Store an entry tagged with the current generation. Completes normally when
	 * memcached could not store it and pass-through is on (counted, logged),
	 * exceptionally otherwise.
	 */
	private CompletableFuture<Void> writeAsync(String storageKey, Object storeValue) {
		byte[] bytes;
		try {
			bytes = encode(storeValue);
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		CompletableFuture<Void> written;
		try {
			written = this.generation.forWrite()
				.thenCompose((current) -> this.engine.setAsync(storageKey, new StoredEntry(current, bytes).encode(),
						this.configuration.getTtl()));
		}
		catch (RuntimeException ex) {
			written = CompletableFuture.failedFuture(ex);
		}
		return written.handle((ignored, failure) -> {
			if (failure == null) {
				this.statistics.recordPut();
				return null;
			}
			Throwable cause = Completions.unwrap(failure);
			if (cause instanceof ValueTooLargeException tooLarge) {
				this.problems.oversized(tooLarge);
				return null;
			}
			if (cause instanceof MemquorumException memquorum) {
				this.problems.degraded("write", memquorum);
				return null;
			}
			throw new CompletionException(cause);
		});
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		String storageKey = storageKey(key);
		Object storeValue = toStoreValue(value);
		byte[] bytes = encode(storeValue);
		try {
			long current = Completions.await(this.generation.forWrite());
			byte[] entry = new StoredEntry(current, bytes).encode();
			if (this.engine.add(storageKey, entry, this.configuration.getTtl())) {
				this.statistics.recordPut();
				return null;
			}
			Object existing = read(storageKey);
			if (existing != null) {
				return toValueWrapper(existing);
			}
			// What is there is of an older generation, unreadable, or was just evicted:
			// it counts as absent, so replace it where it is still not current.
			boolean stored = this.engine.update(storageKey, (present) -> isCurrent(present, current) ? null : entry,
					this.configuration.getTtl());
			if (stored) {
				this.statistics.recordPut();
				return null;
			}
			return toValueWrapper(read(storageKey));
		}
		catch (ValueTooLargeException ex) {
			this.problems.oversized(ex);
			return null;
		}
		catch (MemquorumException ex) {
			this.problems.degraded("putIfAbsent", ex);
			return null;
		}
	}

	private static boolean isCurrent(byte @Nullable [] bytes, long generation) {
		if (bytes == null) {
			return false;
		}
		StoredEntry entry = StoredEntry.decode(bytes);
		return entry != null && entry.generation() == generation;
	}

	/**
	 * The serialized value, {@code null} for a cached null: any {@link NullValue}, not
	 * only {@link NullValue#INSTANCE}, since a deserialized or copied one is another
	 * instance.
	 */
	private byte @Nullable [] encode(Object storeValue) {
		return (storeValue instanceof NullValue) ? null : this.configuration.getSerializer().serialize(storeValue);
	}

	// ---- eviction

	@Override
	public void evict(Object key) {
		this.engine.delete(storageKey(key));
		this.statistics.recordEviction();
	}

	/**
	 * Delete the entry through the write quorum, whatever a read finds: a replica that
	 * missed the entry's last write (it holds an older copy or a tombstone) or that
	 * cannot answer must not keep the entry alive. As {@link #evict(Object)}, raises the
	 * delete's failure.
	 * @return whether a current entry was there before, as a read of a majority of its
	 * replicas (and of the generation from a majority of all nodes) saw it; {@code false}
	 * when that read failed, so presence is unknown
	 */
	@Override
	public boolean evictIfPresent(Object key) {
		String storageKey = storageKey(key);
		boolean present;
		try {
			present = this.reads.readFromMajority(storageKey) != null;
		}
		catch (MemquorumException ex) {
			present = false;
		}
		this.engine.delete(storageKey);
		if (present) {
			this.statistics.recordEviction();
		}
		return present;
	}

	/**
	 * Start a new generation on every node, so that every entry written before reads as a
	 * miss on every application instance (see the consistency notes for the exact rule).
	 * The old entries stay in memcached until they expire or are evicted.
	 */
	@Override
	public void clear() {
		Completions.await(this.generation.startNew());
	}

	/**
	 * Same as {@link #clear()}, which takes effect at once for every reader.
	 * @return {@code false}: whether entries existed cannot be known
	 */
	@Override
	public boolean invalidate() {
		clear();
		return false;
	}

	@Override
	public String toString() {
		return "MemquorumCache[" + this.name + ", " + this.configuration + "]";
	}

}
