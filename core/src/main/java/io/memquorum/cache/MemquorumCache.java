package io.memquorum.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import io.memquorum.engine.Completions;
import io.memquorum.engine.MemquorumException;
import io.memquorum.engine.QuorumNotReachedException;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.ValueTooLargeException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <li>Every read fetches the entry (with the engine's read consistency) and the
 * generation (with a MAJORITY read) in parallel, one round trip, so a {@link #clear()}
 * acknowledged by a MAJORITY write quorum on any application instance is seen by the next
 * read of every instance. With write quorum ONE this does not hold, nor when no majority
 * of the generation's replicas can answer: the read then falls back to the first replica
 * that can, which may miss a clear still in flight.</li>
 * <li>An entry of another generation than the current one is read again from a majority
 * of its replicas before it counts as a miss: the replica a FIRST_HIT read asked may not
 * have applied a write made after the clear yet.</li>
 * <li>{@code clear()} writes a fresh random generation through the write quorum.
 * memcached cannot delete by prefix; old entries stay until they expire or are evicted,
 * and never match again because generations are never reused. A replica that restarted
 * empty has no generation, is skipped by reads (a miss moves on to the next replica) and
 * is repaired. If every copy of the generation is lost, the next write starts a new one:
 * every older entry then reads as a miss, never as stale data.</li>
 * <li>Writes are tagged with the generation this instance last read (re-read when older
 * than a second). A write that races a clear is tagged with the old generation and reads
 * as a miss.</li>
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
 * <li>{@link #evict(Object)} and {@link #clear()} always raise their failure: skipping
 * them would leave stale entries readable. A {@code CacheErrorHandler} may choose to
 * ignore it.</li>
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
 * in memcached with {@code add}; the instances that lose wait, polling the cache, until
 * the value appears or the lease expires, and then load themselves.
 * {@link #retrieve(Object)} never blocks a thread: it continues on the configured
 * executor when memcached answers.
 */
public class MemquorumCache extends AbstractValueAdaptingCache {

	/** Appended to {@code prefix + name + "::"} to form the generation key. */
	public static final String GENERATION_SUFFIX = "#generation";

	/**
	 * Appended to {@code prefix + name + "::"}, then the mapped key, to form a lease key.
	 */
	public static final String LEASE_INFIX = "#lease:";

	private static final Logger logger = LoggerFactory.getLogger(MemquorumCache.class);

	/**
	 * What {@code decode} returns for an entry of another generation than the current.
	 */
	private static final Object OLDER_GENERATION = new Object();

	private static final long GENERATION_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final String name;

	private final ReplicatedMemcached engine;

	private final MemquorumCacheConfiguration configuration;

	private final String keyPrefix;

	private final String generationKey;

	private final CacheStatistics statistics = new CacheStatistics();

	private final ConcurrentMap<String, CompletableFuture<@Nullable Object>> loading = new ConcurrentHashMap<>();

	private final RateLimitedLog degradedLog = new RateLimitedLog(logger, Duration.ofSeconds(10));

	private final RateLimitedLog unreadableLog = new RateLimitedLog(logger, Duration.ofSeconds(10));

	private final RateLimitedLog oversizedLog = new RateLimitedLog(logger, Duration.ofSeconds(10));

	/** The generation last read or written, 0 when unknown. */
	private volatile long knownGeneration;

	private volatile long knownGenerationAt;

	public MemquorumCache(String name, ReplicatedMemcached engine, MemquorumCacheConfiguration configuration) {
		super(configuration.isAllowNullValues());
		if (name.isEmpty()) {
			throw new IllegalArgumentException("Cache name must not be empty");
		}
		this.name = name;
		this.engine = engine;
		this.configuration = configuration;
		this.keyPrefix = configuration.getKeyPrefix() + name + "::";
		this.generationKey = this.keyPrefix + GENERATION_SUFFIX;
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
		return this.keyPrefix + this.configuration.getKeyMapper().toStorageKey(key);
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
	 * Read an entry and the generation together.
	 * @return the store value ({@link NullValue#INSTANCE} for a cached null), or
	 * {@code null} on a miss
	 */
	private @Nullable Object read(String storageKey) {
		Found found;
		try {
			found = fetch(storageKey).get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new MemquorumException("Interrupted while reading from memcached", ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = unwrap(ex);
			if (cause instanceof MemquorumException memquorum) {
				degraded("read", memquorum);
				return null;
			}
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new MemquorumException(String.valueOf(cause.getMessage()), cause);
		}
		catch (MemquorumException ex) {
			degraded("read", ex);
			return null;
		}
		Object value = decode(found);
		if (value != OLDER_GENERATION) {
			return value;
		}
		// The replica asked first may not have applied a newer write yet; a majority of
		// replicas includes one that has.
		try {
			return orMiss(decode(new Found(found.generation(), this.engine.get(storageKey, ReadConsistency.MAJORITY))));
		}
		catch (MemquorumException ex) {
			degraded("read", ex);
			return null;
		}
	}

	private static @Nullable Object orMiss(@Nullable Object value) {
		return (value != OLDER_GENERATION) ? value : null;
	}

	/**
	 * Fetch an entry and the generation at once: the entry with the engine's read
	 * consistency, the generation with a MAJORITY read, so that a clear acknowledged by a
	 * write quorum is seen even when the replica a FIRST_HIT read would ask has not
	 * applied it yet.
	 */
	private CompletableFuture<Found> fetch(String storageKey) {
		CompletableFuture<byte @Nullable []> entry = this.engine.getAsync(storageKey);
		return readGeneration().thenCombine(entry, Found::new);
	}

	/**
	 * Read the generation from a majority of its replicas. When no majority can answer (a
	 * node is down and another is slow), fall back to the first replica that can: a
	 * replica that missed a clear has a pending hint and serves no reads, so only a clear
	 * still in flight can be missed then.
	 */
	private CompletableFuture<byte @Nullable []> readGeneration() {
		return this.engine.getAsync(this.generationKey, ReadConsistency.MAJORITY)
			.exceptionallyCompose((failure) -> (unwrap(failure) instanceof QuorumNotReachedException)
					? this.engine.getAsync(this.generationKey, ReadConsistency.FIRST_HIT)
					: CompletableFuture.failedFuture(unwrap(failure)));
	}

	/**
	 * Decode fetched bytes.
	 * @return the store value, {@code null} on a miss, or {@link #OLDER_GENERATION} when
	 * the entry belongs to another generation
	 */
	private @Nullable Object decode(Found found) {
		long generation = parseGeneration(found.generation());
		rememberGeneration(generation);
		byte[] bytes = found.entry();
		if (bytes == null || generation == 0) {
			return null;
		}
		StoredEntry entry = StoredEntry.decode(bytes);
		if (entry == null) {
			unreadable("it is not a cache entry of a known format");
			return null;
		}
		if (entry.generation() != generation) {
			return OLDER_GENERATION;
		}
		if (entry.payload() == null) {
			return NullValue.INSTANCE;
		}
		try {
			return this.configuration.getSerializer().deserialize(entry.payload());
		}
		catch (RuntimeException | OutOfMemoryError | StackOverflowError ex) {
			// Stored bytes are untrusted: a serializer of the user's that lets the
			// reader run out of heap or stack still ends in a miss, not a failed request.
			unreadable(String.valueOf(ex.getMessage()));
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

	/**
	 * Load a value, under a distributed lease when leases are on, and store it.
	 * @return the store value, or {@code null} when the loader returned {@code null} and
	 * nulls are not cached
	 */
	private @Nullable Object loadUnderLease(Object key, String storageKey, Callable<?> valueLoader) {
		Duration leaseTtl = this.configuration.getLeaseTtl();
		if (leaseTtl == null) {
			return loadAndStore(key, storageKey, valueLoader);
		}
		String leaseKey = this.keyPrefix + LEASE_INFIX + storageKey.substring(this.keyPrefix.length());
		boolean leased;
		try {
			leased = this.engine.add(leaseKey, leaseTokenBytes(leaseToken()), leaseTtl);
		}
		catch (MemquorumException ex) {
			degraded("lease", ex);
			return loadAndStore(key, storageKey, valueLoader);
		}
		if (leased) {
			try {
				return loadAndStore(key, storageKey, valueLoader);
			}
			finally {
				try {
					this.engine.delete(leaseKey);
				}
				catch (MemquorumException ex) {
					// The lease expires by itself.
					degraded("lease release", ex);
				}
			}
		}
		this.statistics.recordLeaseWait();
		long deadline = System.nanoTime() + leaseTtl.toNanos();
		long pollNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(5),
				Math.min(TimeUnit.MILLISECONDS.toNanos(50), leaseTtl.toNanos() / 20));
		while (System.nanoTime() - deadline < 0) {
			LockSupport.parkNanos(pollNanos);
			if (Thread.interrupted()) {
				Thread.currentThread().interrupt();
				throw new ValueRetrievalException(key, valueLoader, new InterruptedException());
			}
			Object stored = read(storageKey);
			if (stored != null) {
				return stored;
			}
		}
		return loadAndStore(key, storageKey, valueLoader);
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

	@Override
	public CompletableFuture<?> retrieve(Object key) {
		String storageKey = storageKey(key);
		return readAsync(storageKey).thenApply((value) -> {
			if (value == null) {
				this.statistics.recordMiss();
				return null;
			}
			this.statistics.recordHit();
			return new SimpleValueWrapper(fromStoreValue(value));
		});
	}

	private CompletableFuture<@Nullable Object> readAsync(String storageKey) {
		CompletableFuture<Found> found;
		try {
			found = fetch(storageKey);
		}
		catch (MemquorumException ex) {
			found = CompletableFuture.failedFuture(ex);
		}
		return found.thenComposeAsync((values) -> {
			Object value = decode(values);
			if (value != OLDER_GENERATION) {
				return CompletableFuture.completedFuture(value);
			}
			return this.engine.getAsync(storageKey, ReadConsistency.MAJORITY)
				.thenApplyAsync((entry) -> orMiss(decode(new Found(values.generation(), entry))),
						this.configuration.getAsyncExecutor());
		}, this.configuration.getAsyncExecutor()).handleAsync((value, failure) -> {
			if (failure != null) {
				Throwable cause = unwrap(failure);
				if (cause instanceof MemquorumException memquorum) {
					degraded("read", memquorum);
					return null;
				}
				throw new CompletionException(cause);
			}
			return value;
		}, this.configuration.getAsyncExecutor());
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		String storageKey = storageKey(key);
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
			return loaded.whenCompleteAsync((value, failure) -> {
				try {
					if (failure != null) {
						mine.completeExceptionally(unwrap(failure));
					}
					else if (value == null && !isAllowNullValues()) {
						mine.complete(null);
					}
					else {
						Object storeValue = toStoreValue(value);
						write(storageKey, storeValue);
						mine.complete(storeValue);
					}
				}
				catch (RuntimeException ex) {
					mine.completeExceptionally(ex);
				}
				finally {
					this.loading.remove(storageKey, mine);
				}
			}, this.configuration.getAsyncExecutor());
		});
	}

	// ---- writes

	@Override
	public void put(Object key, @Nullable Object value) {
		write(storageKey(key), toStoreValue(value));
	}

	private void write(String storageKey, Object storeValue) {
		byte[] bytes = encode(storeValue);
		try {
			long generation = currentGeneration();
			this.engine.set(storageKey, new StoredEntry(generation, bytes).encode(), this.configuration.getTtl());
			this.statistics.recordPut();
		}
		catch (ValueTooLargeException ex) {
			oversized(ex);
		}
		catch (MemquorumException ex) {
			degraded("write", ex);
		}
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		String storageKey = storageKey(key);
		Object storeValue = toStoreValue(value);
		byte[] bytes = encode(storeValue);
		try {
			long generation = currentGeneration();
			byte[] entry = new StoredEntry(generation, bytes).encode();
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
			boolean stored = this.engine.update(storageKey, (current) -> isCurrent(current, generation) ? null : entry,
					this.configuration.getTtl());
			if (stored) {
				this.statistics.recordPut();
				return null;
			}
			return toValueWrapper(read(storageKey));
		}
		catch (ValueTooLargeException ex) {
			oversized(ex);
			return null;
		}
		catch (MemquorumException ex) {
			degraded("putIfAbsent", ex);
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

	private byte @Nullable [] encode(Object storeValue) {
		return (storeValue == NullValue.INSTANCE) ? null : this.configuration.getSerializer().serialize(storeValue);
	}

	// ---- eviction

	@Override
	public void evict(Object key) {
		this.engine.delete(storageKey(key));
		this.statistics.recordEviction();
	}

	@Override
	public boolean evictIfPresent(Object key) {
		String storageKey = storageKey(key);
		boolean present = read(storageKey) != null;
		if (present) {
			this.engine.delete(storageKey);
			this.statistics.recordEviction();
		}
		return present;
	}

	/**
	 * Start a new generation, so that every entry written before reads as a miss on every
	 * application instance. The old entries stay in memcached until they expire or are
	 * evicted.
	 */
	@Override
	public void clear() {
		long generation = newGeneration();
		this.engine.set(this.generationKey, generationBytes(generation), Duration.ZERO);
		rememberGeneration(generation);
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

	// ---- generations

	private long currentGeneration() {
		long known = this.knownGeneration;
		if (known != 0 && System.nanoTime() - this.knownGenerationAt < GENERATION_REFRESH_NANOS) {
			return known;
		}
		long stored = parseGeneration(awaitGeneration());
		if (stored != 0) {
			rememberGeneration(stored);
			return stored;
		}
		long generation = newGeneration();
		if (this.engine.add(this.generationKey, generationBytes(generation), Duration.ZERO)) {
			rememberGeneration(generation);
			return generation;
		}
		stored = parseGeneration(awaitGeneration());
		if (stored == 0) {
			// Unreadable bytes hold the key: start over with a fresh generation.
			this.engine.set(this.generationKey, generationBytes(generation), Duration.ZERO);
			stored = generation;
		}
		rememberGeneration(stored);
		return stored;
	}

	private byte @Nullable [] awaitGeneration() {
		return Completions.await(readGeneration());
	}

	private void rememberGeneration(long generation) {
		if (generation != 0) {
			this.knownGeneration = generation;
			this.knownGenerationAt = System.nanoTime();
		}
	}

	private static long newGeneration() {
		long generation;
		do {
			generation = ThreadLocalRandom.current().nextLong();
		}
		while (generation == 0);
		return generation;
	}

	private static byte[] generationBytes(long generation) {
		return Long.toString(generation).getBytes(StandardCharsets.US_ASCII);
	}

	private static long parseGeneration(byte @Nullable [] bytes) {
		if (bytes == null) {
			return 0;
		}
		try {
			return Long.parseLong(new String(bytes, StandardCharsets.US_ASCII));
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	private static String leaseToken() {
		return Long.toHexString(ThreadLocalRandom.current().nextLong());
	}

	private static byte[] leaseTokenBytes(String token) {
		return token.getBytes(StandardCharsets.US_ASCII);
	}

	// ---- failures

	private void degraded(String operation, MemquorumException ex) {
		if (!this.configuration.isPassThroughOnFailure()) {
			throw ex;
		}
		this.statistics.recordDegraded();
		this.degradedLog.warn("Cache '" + this.name + "' passed a " + operation
				+ " through because memcached could not serve it: " + ex.getMessage());
	}

	private void unreadable(@Nullable String reason) {
		this.statistics.recordUnreadable();
		this.unreadableLog
			.warn("Cache '" + this.name + "' read an entry it could not deserialize as a miss: " + reason);
	}

	private void oversized(ValueTooLargeException ex) {
		this.statistics.recordOversized();
		this.oversizedLog.warn("Cache '" + this.name + "' did not cache a value of " + ex.getSize()
				+ " bytes, over memcached's item size limit of " + ex.getLimit() + " bytes");
	}

	private static Throwable unwrap(Throwable failure) {
		return Completions.unwrap(failure);
	}

	private record Found(byte @Nullable [] generation, byte @Nullable [] entry) {
	}

	@Override
	public String toString() {
		return "MemquorumCache[" + this.name + ", " + this.configuration + "]";
	}

}
