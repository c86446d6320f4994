package io.memquorum.refill;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The keys one refill run has already copied, so that a key listed again (by a second
 * peer, or by the second listing of a peer) is not read and written again. It holds a
 * 64-bit hash per key, not the key: an open-addressing table of {@code long}s, at most
 * three-quarters full, so 11 to 21 bytes of heap per key (32 for the moment a resize
 * holds both tables), against about 100 to 200 for a key kept as a {@code String} in a
 * map.
 *
 * <h2>Bounded</h2> The table never grows past {@code maxBytes} (including the moment of a
 * resize). Once full it stops recording: keys not recorded are simply copied again when
 * listed again, which costs a read and a declined write but loses nothing.
 *
 * <h2>Collisions</h2> Two keys with the same hash make the second look copied. The hash
 * is seeded at random per run, so the chance is about {@code n²/2⁶⁵} per run (one in 2
 * million for 4 million keys) and never the same two keys twice; and it matters only for
 * a key that the listing that recorded the other key did not also carry.
 *
 * <p>
 * Used by the refill thread only; not thread-safe.
 */
final class SeenKeys {

	private static final long EMPTY = 0;

	private static final int MIN_CAPACITY = 1024;

	private final long seed = ThreadLocalRandom.current().nextLong();

	private final long maxBytes;

	private long[] table;

	private int size;

	private boolean full;

	/**
	 * @param maxBytes the most heap the table may take, including while it resizes
	 */
	SeenKeys(long maxBytes) {
		this.maxBytes = maxBytes;
		this.table = new long[(maxBytes >= 3L * 8 * MIN_CAPACITY) ? MIN_CAPACITY : 0];
		this.full = this.table.length == 0;
	}

	/**
	 * @param key the key
	 * @return whether the key (or one with the same hash) was recorded
	 */
	boolean contains(String key) {
		if (this.size == 0) {
			return false;
		}
		long hash = hash(key);
		long[] table = this.table;
		for (int slot = slotOf(hash, table.length);; slot = next(slot, table.length)) {
			long held = table[slot];
			if (held == EMPTY) {
				return false;
			}
			if (held == hash) {
				return true;
			}
		}
	}

	/**
	 * Record a key, unless the table is full.
	 * @param key the key
	 */
	void add(String key) {
		if (this.full) {
			return;
		}
		if ((this.size + 1) * 4L > this.table.length * 3L && !grow()) {
			return;
		}
		if (insert(this.table, hash(key))) {
			this.size++;
		}
	}

	/**
	 * Size the table for a number of keys at once, when it is known before they are
	 * listed, so that no resize holds two tables at the same moment; within the limit.
	 * @param keys how many keys are expected
	 */
	void expect(long keys) {
		// Exactly three-quarters full at the expected count, not the next power of two:
		// 14,096 keys would otherwise take 32,768 slots, 18 bytes a key instead of 11.
		int capacity = (int) Math.min(1 << 30, Math.max(this.table.length, (keys * 4 + 2) / 3 + 1));
		// A table that would not fit is left to grow step by step until it is full.
		if (!this.full && capacity > this.table.length && 8L * (this.table.length + (long) capacity) <= this.maxBytes) {
			resize(capacity);
		}
	}

	/**
	 * @return whether some key was not recorded because the table was full
	 */
	boolean isFull() {
		return this.full;
	}

	/**
	 * @return the keys recorded
	 */
	int size() {
		return this.size;
	}

	/**
	 * @return the heap the table takes now
	 */
	long bytes() {
		return 8L * this.table.length;
	}

	private boolean grow() {
		return resize(this.table.length * 2);
	}

	private boolean resize(int capacity) {
		// The old table and the new one live together while entries move.
		if (capacity <= 0 || 8L * (this.table.length + (long) capacity) > this.maxBytes) {
			this.full = true;
			return false;
		}
		long[] bigger = new long[capacity];
		for (long hash : this.table) {
			if (hash != EMPTY) {
				insert(bigger, hash);
			}
		}
		this.table = bigger;
		return true;
	}

	private static boolean insert(long[] table, long hash) {
		for (int slot = slotOf(hash, table.length);; slot = next(slot, table.length)) {
			long held = table[slot];
			if (held == EMPTY) {
				table[slot] = hash;
				return true;
			}
			if (held == hash) {
				return false;
			}
		}
	}

	/** The first slot of a hash in a table of any length, not only a power of two. */
	private static int slotOf(long hash, int length) {
		return (int) Long.remainderUnsigned(hash, length);
	}

	private static int next(int slot, int length) {
		return (slot + 1 == length) ? 0 : slot + 1;
	}

	/** A seeded 64-bit hash of the key's chars, never {@link #EMPTY}. */
	private long hash(String key) {
		long h = this.seed ^ key.length();
		for (int i = 0; i < key.length(); i++) {
			h = (h ^ key.charAt(i)) * 0x100000001b3L;
		}
		// murmur3's finalizer spreads every bit over the slot index
		h ^= h >>> 33;
		h *= 0xff51afd7ed558ccdL;
		h ^= h >>> 33;
		h *= 0xc4ceb9fe1a85ec53L;
		h ^= h >>> 33;
		return (h == EMPTY) ? 1 : h;
	}

}
