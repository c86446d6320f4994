package io.memquorum.refill;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The keys a refill run remembers: within the heap it is given, at most 32 bytes per key.
 */
class SeenKeysTests {

	@Test
	void aRecordedKeyIsSeenAndAnotherIsNot() {
		SeenKeys seen = new SeenKeys(1 << 20);
		seen.add("shop:1");
		assertThat(seen.contains("shop:1")).isTrue();
		assertThat(seen.contains("shop:2")).isFalse();
		seen.add("shop:1");
		assertThat(seen.size()).isEqualTo(1);
	}

	@Test
	void aHundredThousandKeysTakeAtMostThirtyTwoBytesEach() {
		SeenKeys seen = new SeenKeys(64L << 20);
		for (int i = 0; i < 100_000; i++) {
			seen.add("session:" + i);
		}
		assertThat(seen.isFull()).isFalse();
		assertThat(seen.size()).isEqualTo(100_000);
		assertThat(seen.bytes()).isLessThanOrEqualTo(32L * 100_000);
		for (int i = 0; i < 100_000; i++) {
			assertThat(seen.contains("session:" + i)).as("session:%d", i).isTrue();
		}
		assertThat(seen.contains("session:100000")).isFalse();
	}

	@Test
	void whenItsHeapIsUsedUpItStopsRecordingAndKeepsWhatItHas() {
		long limit = 256 * 1024;
		SeenKeys seen = new SeenKeys(limit);
		for (int i = 0; i < 100_000; i++) {
			seen.add("key:" + i);
		}
		assertThat(seen.isFull()).isTrue();
		assertThat(seen.bytes()).isLessThanOrEqualTo(limit);
		assertThat(seen.size()).isGreaterThan(5_000).isLessThan(100_000);
		assertThat(seen.contains("key:0")).isTrue();
		assertThat(seen.contains("key:99999")).isFalse();
	}

	@Test
	void aTableSizedForTheExpectedKeysNeverResizesWhileTheyAreRecorded() {
		SeenKeys seen = new SeenKeys(64L << 20);
		seen.add("early");
		seen.expect(14_096);
		long sized = seen.bytes();
		// Three-quarters full at the expected count, not rounded up to a power of two
		// (32,768 slots).
		assertThat(sized).isEqualTo(8L * 18_796);
		for (int i = 0; i < 14_095; i++) {
			seen.add("key:" + i);
		}
		assertThat(seen.bytes()).isEqualTo(sized);
		assertThat(seen.size()).isEqualTo(14_096);
		assertThat(seen.contains("early")).isTrue();
		for (int i = 0; i < 14_095; i++) {
			assertThat(seen.contains("key:" + i)).isTrue();
		}
		assertThat(seen.contains("key:14095")).isFalse();
	}

	@Test
	void anExpectationBeyondTheLimitLeavesTheTableToGrowUntilFull() {
		SeenKeys seen = new SeenKeys(256 * 1024);
		seen.expect(10_000_000);
		assertThat(seen.isFull()).isFalse();
		seen.add("key");
		assertThat(seen.contains("key")).isTrue();
	}

}
