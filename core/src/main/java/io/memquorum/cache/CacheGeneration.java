package io.memquorum.cache;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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
 */
final class CacheGeneration {

	private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final NodeWideKeys nodeWide;

	private final String key;

	/** The generation last read or written, 0 when unknown. */
	private volatile long known;

	private volatile long knownAt;

	/**
	 * The remembered generation with its stored form, to recognise it without parsing.
	 */
	private volatile @Nullable Remembered remembered;

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
		long remembered = this.known;
		if (remembered != 0 && System.nanoTime() - this.knownAt < REFRESH_NANOS) {
			return CompletableFuture.completedFuture(remembered);
		}
		return authoritative();
	}

	/**
	 * The generation a majority of all nodes holds; when none holds one, establish one
	 * (the remembered one if any, else a fresh one) with an {@code add}, so that racing
	 * instances agree.
	 */
	CompletableFuture<Long> authoritative() {
		return this.nodeWide.getAsync(this.key).thenCompose((bytes) -> {
			long stored = parse(bytes);
			if (stored != 0) {
				remember(stored);
				return CompletableFuture.completedFuture(stored);
			}
			long candidate = (this.known != 0) ? this.known : fresh();
			return this.nodeWide.addAsync(this.key, bytes(candidate)).thenCompose((added) -> {
				if (added) {
					remember(candidate);
					return CompletableFuture.completedFuture(candidate);
				}
				return this.nodeWide.getAsync(this.key).thenCompose((again) -> {
					long winner = parse(again);
					if (winner != 0) {
						remember(winner);
						return CompletableFuture.completedFuture(winner);
					}
					// Unreadable bytes hold the key: start over with a fresh generation.
					return startNew();
				});
			});
		});
	}

	/** Write a fresh generation to every node: the cache's {@code clear()}. */
	CompletableFuture<Long> startNew() {
		long generation = fresh();
		return this.nodeWide.setAsync(this.key, bytes(generation)).thenApply((ignored) -> {
			remember(generation);
			return generation;
		});
	}

	void remember(long generation) {
		if (generation != 0) {
			if (generation != this.known) {
				this.remembered = new Remembered(generation, bytes(generation));
			}
			this.known = generation;
			this.knownAt = System.nanoTime();
		}
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
	 * The generation in bytes read from memcached, without parsing them when they are the
	 * remembered generation's (every hit).
	 */
	long read(byte @Nullable [] bytes) {
		Remembered remembered = this.remembered;
		if (remembered != null && Arrays.equals(bytes, remembered.bytes())) {
			return remembered.generation();
		}
		long generation = parse(bytes);
		remember(generation);
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

	private record Remembered(long generation, byte[] bytes) {
	}

}
