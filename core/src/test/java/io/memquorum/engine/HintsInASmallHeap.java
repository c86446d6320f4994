package io.memquorum.engine;

import java.time.Duration;
import java.util.Arrays;

/**
 * An application with a 64 MB heap that writes 150 MB of large values while one of its
 * three nodes is down: every write succeeds on the other two and leaves a hint for the
 * third. Only the byte bound of hints is left at its default. Prints
 * {@code pending <hints> overflowed <true|false>} and exits 0 when the hints stayed
 * within their byte bound; runs out of memory otherwise.
 */
public final class HintsInASmallHeap {

	private HintsInASmallHeap() {
	}

	public static void main(String[] args) {
		byte[] value = new byte[512 * 1024];
		try (ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(args[0].split(","))
			// A memory test, not a timing one: a cold JVM writing 512 KB values is slow.
			.operationTimeout(Duration.ofSeconds(5))
			.build()) {
			for (int i = 0; i < 300; i++) {
				Arrays.fill(value, (byte) i);
				engine.set("large:" + i, value, Duration.ZERO);
			}
			NodeStatus down = engine.nodeStatus().get(2);
			System.out.println("pending " + down.pendingHints() + " overflowed " + down.hintsOverflowed());
		}
	}

}
