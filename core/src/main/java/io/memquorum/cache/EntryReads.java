package io.memquorum.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import io.memquorum.engine.Completions;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.ValueWithCompanion;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.support.NullValue;

/**
 * How a cache reads an entry. A hit is one round trip: the replica a FIRST_HIT walk asks
 * answers the entry and the cache's generation (a node-wide key, see
 * {@link CacheGeneration}) in one multi-get, and the entry counts when it carries that
 * generation. Every other case takes a second look, with the generation read from a
 * majority of all nodes and the entry from a majority of its replicas:
 * <ul>
 * <li>the replica holds no generation (it restarted empty, or every node did);</li>
 * <li>the entry carries another generation than the replica's: the replica may not have
 * applied a write made after a clear, or (rarely) a clear made by an instance that could
 * not reach it and has not replayed its hint yet.</li>
 * <li>the replica's generation is older than the one this instance remembers (it missed a
 * clear): the entry is judged against the remembered one (see
 * {@link CacheGeneration#read}), and a pre-clear entry is of another generation.</li>
 * </ul>
 * A replica that owes this instance a hint for the generation answers the entry without
 * the generation (see {@link io.memquorum.engine.NodeWideKeys#getWithAsync}), which also
 * takes a second look. With MAJORITY read consistency the entry is read from a majority
 * of its replicas and the generation from a majority of all nodes, in parallel.
 */
final class EntryReads {

	/** What {@link #judge} returns when the entry needs a second look. */
	private static final Object SECOND_LOOK = new Object();

	private final ReplicatedMemcached engine;

	private final CacheGeneration generation;

	private final CacheValueSerializer serializer;

	private final CacheProblems problems;

	private final boolean majority;

	EntryReads(ReplicatedMemcached engine, CacheGeneration generation, CacheValueSerializer serializer,
			CacheProblems problems) {
		this.engine = engine;
		this.generation = generation;
		this.serializer = serializer;
		this.problems = problems;
		this.majority = engine.readConsistency() == ReadConsistency.MAJORITY;
	}

	/**
	 * Read an entry, on the calling thread.
	 * @return the store value ({@link NullValue#INSTANCE} for a cached null), or
	 * {@code null} on a miss
	 * @throws io.memquorum.engine.MemquorumException when memcached cannot answer
	 */
	@Nullable Object read(String storageKey) {
		Object judged = judge(Completions.await(fetch(storageKey)));
		return (judged != SECOND_LOOK) ? judged : Completions.await(secondLook(storageKey));
	}

	/**
	 * Read an entry from a majority of its replicas and the generation from a majority of
	 * all nodes, on the calling thread: what one replica holds (an older copy, a
	 * tombstone it kept after missing a write) cannot decide alone.
	 * @return the store value, or {@code null} on a miss
	 * @throws io.memquorum.engine.MemquorumException when memcached cannot answer
	 */
	@Nullable Object readFromMajority(String storageKey) {
		return Completions.await(secondLook(storageKey));
	}

	/**
	 * Read an entry without blocking; decoding continues on {@code executor}.
	 */
	CompletableFuture<@Nullable Object> readAsync(String storageKey, Executor executor) {
		return fetch(storageKey).thenComposeAsync((found) -> {
			Object judged = judge(found);
			return (judged != SECOND_LOOK) ? CompletableFuture.completedFuture(judged) : secondLook(storageKey);
		}, executor);
	}

	private CompletableFuture<ValueWithCompanion> fetch(String storageKey) {
		if (this.majority) {
			return this.engine.getAsync(storageKey, ReadConsistency.MAJORITY)
				.thenCombine(this.engine.nodeWide().getVersionedAsync(this.generation.key()),
						(entry, generation) -> (generation != null)
								? new ValueWithCompanion(entry, generation.payload(), false, generation.version())
								: new ValueWithCompanion(entry, null, false, 0));
		}
		return this.engine.nodeWide().getWithAsync(storageKey, this.generation.key());
	}

	private @Nullable Object judge(ValueWithCompanion found) {
		byte[] entry = found.value();
		if (entry == null) {
			if (found.companion() != null) {
				this.generation.read(found.companion(), found.companionVersion());
			}
			return null;
		}
		long current = this.generation.read(found.companion(), found.companionVersion());
		return (current != 0) ? decode(entry, current) : SECOND_LOOK;
	}

	/**
	 * The entry from a majority of its replicas and the generation from a majority of all
	 * nodes (established again when no node holds one).
	 */
	private CompletableFuture<@Nullable Object> secondLook(String storageKey) {
		return this.engine.getAsync(storageKey, ReadConsistency.MAJORITY)
			.thenCombine(this.generation.authoritative(), (entry, current) -> {
				Object value = (entry != null) ? decode(entry, current) : null;
				return (value != SECOND_LOOK) ? value : null;
			});
	}

	/**
	 * @return the store value, {@code null} when unreadable, or {@link #SECOND_LOOK} when
	 * the entry belongs to another generation
	 */
	private @Nullable Object decode(byte[] bytes, long current) {
		StoredEntry entry = StoredEntry.decode(bytes);
		if (entry == null) {
			this.problems.unreadable("it is not a cache entry of a known format");
			return null;
		}
		if (entry.generation() != current) {
			return SECOND_LOOK;
		}
		if (entry.payload() == null) {
			return NullValue.INSTANCE;
		}
		try {
			return this.serializer.deserialize(entry.payload());
		}
		catch (RuntimeException | OutOfMemoryError | StackOverflowError ex) {
			// Stored bytes are untrusted: a serializer of the user's that lets the reader
			// run out of heap or stack still ends in a miss, not a failed request.
			this.problems.unreadable(String.valueOf(ex.getMessage()));
			return null;
		}
	}

}
