package io.memquorum.cache;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.NodeWideKeys;
import org.jspecify.annotations.Nullable;

/**
 * A cache's generation: a random 64-bit number kept as a node-wide key (on every node),
 * so that the replica answering an entry also answers the generation in the same round
 * trip. An entry counts only when it carries the current generation; {@code clear()}
 * starts a new one.
 *
 * <p>
 * This instance remembers the generation it last saw and tags writes with it, reading it
 * again when it is older than a second, so a write costs no extra round trip. When no
 * node holds a generation any more (every node restarted empty or was flushed), the first
 * reader or writer that notices establishes one again, preferring the one it remembers:
 * entries written meanwhile with that generation then stay readable.
 *
 * <p>
 * The generation never goes back on this instance on one replica's word: each generation
 * is remembered with the version of the node-wide write that stored it, and a copy that
 * one replica answers with an older version than the remembered one (the replica missed a
 * {@code clear()}: an error reply, a timeout, a dropped connection, a pause) is not
 * believed; the entry is then judged against the remembered generation, so a pre-clear
 * entry on that replica reads as another generation's and goes to a majority. Only a
 * majority read ({@link #authoritative()}) or this instance's own {@code clear()} may
 * replace the generation with one of an older version: versions come from each writer's
 * clock, and a clear by an instance whose clock is behind must still win.
 */
final class CacheGeneration {

	private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final NodeWideKeys nodeWide;

	private final String key;

	/** The generation last believed, with its version and stored form; null when none. */
	private volatile @Nullable Known known;

	private volatile long knownAt;

	CacheGeneration(NodeWideKeys nodeWide, String key) {
		this.nodeWide = nodeWide;
		this.key = key;
	}

	String key() {
		return this.key;
	}

	/**
	 * The generation to tag a write with: the remembered one when fresh, else read from a
	 * majority of all nodes, else established.
	 */
	CompletableFuture<Long> forWrite() {
		Known current = this.known;
		if (current != null && System.nanoTime() - this.knownAt < REFRESH_NANOS) {
			return CompletableFuture.completedFuture(current.generation());
		}
		return authoritative();
	}

	/**
	 * The generation a majority of all nodes holds; when none holds one, establish one
	 * (the remembered one if any, else a fresh one) with an {@code add}, so that racing
	 * instances agree.
	 */
	CompletableFuture<Long> authoritative() {
		return this.nodeWide.getVersionedAsync(this.key).thenCompose((stored) -> {
			long generation = adopt(stored);
			if (generation != 0) {
				return CompletableFuture.completedFuture(generation);
			}
			Known current = this.known;
			long candidate = (current != null) ? current.generation() : fresh();
			return this.nodeWide.addAsync(this.key, bytes(candidate))
				.thenCompose((added) -> this.nodeWide.getVersionedAsync(this.key))
				.thenCompose((again) -> {
					long winner = adopt(again);
					// Unreadable bytes hold the key: start over with a fresh generation.
					return (winner != 0) ? CompletableFuture.completedFuture(winner) : startNew();
				});
		});
	}

	/** Write a fresh generation to every node: the cache's {@code clear()}. */
	CompletableFuture<Long> startNew() {
		long generation = fresh();
		return this.nodeWide.setAsync(this.key, bytes(generation)).thenApply((version) -> {
			believe(generation, version);
			return generation;
		});
	}

	/** Believe what a majority read found; 0 when it found no readable generation. */
	private long adopt(@Nullable Envelope stored) {
		long generation = (stored != null) ? parse(stored.payload()) : 0;
		if (generation != 0) {
			believe(generation, stored.version());
		}
		return generation;
	}

	private void believe(long generation, long version) {
		Known current = this.known;
		if (current == null || current.generation() != generation || current.version() != version) {
			this.known = new Known(generation, version, bytes(generation));
		}
		this.knownAt = System.nanoTime();
	}

	private static long fresh() {
		long generation;
		do {
			generation = ThreadLocalRandom.current().nextLong();
		}
		while (generation == 0);
		return generation;
	}

	static byte[] bytes(long generation) {
		return Long.toString(generation).getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * The generation to judge an entry against, given the copy of the generation that one
	 * replica answered with it: that copy, unless it is older than the remembered
	 * generation (then the remembered one). Does not parse the bytes when they are the
	 * remembered generation's (every hit).
	 * @param bytes the replica's copy, {@code null} when it has none
	 * @param version its version, 0 when unknown
	 * @return the generation, 0 when none is known
	 */
	long read(byte @Nullable [] bytes, long version) {
		Known current = this.known;
		if (current != null && Arrays.equals(bytes, current.bytes())) {
			if (version > current.version()) {
				believe(current.generation(), version);
			}
			return current.generation();
		}
		long generation = parse(bytes);
		if (generation == 0) {
			return 0;
		}
		if (current != null && version < current.version()) {
			// The replica missed a newer generation: not believed.
			return current.generation();
		}
		believe(generation, version);
		return generation;
	}

	/** The generation in stored bytes, 0 when absent or unreadable. */
	static long parse(byte @Nullable [] bytes) {
		if (bytes == null || bytes.length == 0 || bytes.length > 20) {
			return 0;
		}
		try {
			return Long.parseLong(new String(bytes, StandardCharsets.US_ASCII));
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	private record Known(long generation, long version, byte[] bytes) {
	}

}
