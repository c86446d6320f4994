package io.memquorum.benchmarks.jmh;

import java.util.Random;

/**
 * The data every benchmark uses: a fixed key space read with a Zipf distribution (a few
 * hot keys, a long tail, as a cache sees it) and 1 KB values. Seeded, so every run and
 * every client see the same sequence.
 */
public final class Workload {

	/**
	 * How many distinct keys exist; all are written before measuring, so every get hits.
	 */
	public static final int KEY_COUNT = 4096;

	/** The value size the issue asks for. */
	public static final int VALUE_SIZE = 1024;

	private static final double ZIPF_EXPONENT = 0.99;

	private static final int SEQUENCE_LENGTH = 1 << 16;

	private static final String[] KEYS = new String[KEY_COUNT];

	private static final int[] SEQUENCE = new int[SEQUENCE_LENGTH];

	private static final byte[] VALUE = new byte[VALUE_SIZE];

	static {
		for (int i = 0; i < KEY_COUNT; i++) {
			KEYS[i] = "bench:item:" + i;
		}
		Random random = new Random(20240611L);
		random.nextBytes(VALUE);
		double[] cumulative = new double[KEY_COUNT];
		double sum = 0;
		for (int i = 0; i < KEY_COUNT; i++) {
			sum += 1 / Math.pow(i + 1, ZIPF_EXPONENT);
			cumulative[i] = sum;
		}
		for (int i = 0; i < SEQUENCE_LENGTH; i++) {
			double target = random.nextDouble() * sum;
			int low = 0;
			int high = KEY_COUNT - 1;
			while (low < high) {
				int middle = (low + high) >>> 1;
				if (cumulative[middle] < target) {
					low = middle + 1;
				}
				else {
					high = middle;
				}
			}
			SEQUENCE[i] = low;
		}
	}

	private Workload() {
	}

	/**
	 * Every key of the key space, for populating.
	 * @return the keys; do not modify
	 */
	public static String[] keys() {
		return KEYS;
	}

	/**
	 * The {@code n}-th key of the Zipf sequence (wraps around).
	 * @param n a position in the sequence
	 * @return the key
	 */
	public static String key(int n) {
		return KEYS[SEQUENCE[n & (SEQUENCE_LENGTH - 1)]];
	}

	/**
	 * The 1 KB value written everywhere.
	 * @return the value; do not modify
	 */
	public static byte[] value() {
		return VALUE;
	}

}
