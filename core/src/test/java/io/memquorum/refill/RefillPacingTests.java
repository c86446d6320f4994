package io.memquorum.refill;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.TestEngines;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.memquorum.refill.RefillTesting.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node restarted empty (fault: restart empty) is refilled completely whether refill
 * copies at a fixed rate or paces itself from the foreground latency under foreground
 * reads and writes, and while it runs its status reports a rate and an ETA.
 */
class RefillPacingTests {

	private static final int ENTRIES = 4_000;

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, RefillTesting::fast);

	@Test
	void aRefillAtAFixedRateCompletesAndReportsItsRateAndEtaWhileItRuns() {
		ReplicatedMemcached engine = this.engines
			.open((builder) -> builder.refillAdaptive(false).refillEntriesPerSecond(2_000));
		refillsCompletely(engine, false);
	}

	@Test
	void anAdaptiveRefillUnderForegroundReadsAndWritesCompletes() {
		ReplicatedMemcached engine = this.engines
			.open((builder) -> builder.refillAdaptive(true).refillLatencyFactor(2.0).refillEntriesPerSecond(2_000));
		refillsCompletely(engine, true);
	}

	private void refillsCompletely(ReplicatedMemcached engine, boolean foreground) {
		RefillTesting.awaitEveryNodeComplete(engine, Instant.EPOCH);
		RefillTesting.inBatches(ENTRIES,
				(i) -> engine.setAsync("paced:" + i, bytes("value " + i), Duration.ofMinutes(10)));
		for (MemcachedNode node : memcached.cluster().nodes()) {
			await().atMost(RefillTesting.SETTLE).until(() -> node.currentItems() >= ENTRIES + 1);
		}
		AtomicBoolean stop = new AtomicBoolean();
		AtomicLong operations = new AtomicLong();
		Thread load = new Thread(() -> {
			while (!stop.get()) {
				int key = ThreadLocalRandom.current().nextInt(100);
				if (key % 10 == 0) {
					engine.set("hot:" + key, bytes("hot"), Duration.ofMinutes(10));
				}
				else {
					engine.get("hot:" + key);
				}
				operations.incrementAndGet();
			}
		});
		if (foreground) {
			load.start();
		}
		try {
			MemcachedNode restarted = memcached.cluster().node(0);
			Instant restart = Instant.now();
			restarted.restartEmpty();
			// Rates are brought up to date once a second: 4,000 entries at 2,000 per
			// second leave time to see one.
			await().atMost(RefillTesting.SETTLE).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
				RefillStatus status = RefillTesting.refillOf(engine, restarted.address());
				assertThat(status.phase()).isEqualTo(RefillStatus.Phase.REFILLING);
				assertThat(status.entriesPerSecond()).isPositive();
				assertThat(status.bytesPerSecond()).isPositive();
				assertThat(status.eta()).isNotNull();
			});
			RefillTesting.awaitComplete(engine, restarted, restart);
			RefillStatus done = RefillTesting.refillOf(engine, restarted.address());
			assertThat(done.entriesPerSecond()).isZero();
			assertThat(done.eta()).isNull();
			assertThat(done.copiedBytes()).isPositive();
			List<String> expected = IntStream.range(0, ENTRIES)
				.mapToObj((i) -> engine.keyEncoder().encode("paced:" + i))
				.toList();
			assertThat(RefillTesting.missingOn(restarted, expected)).isEmpty();
		}
		finally {
			stop.set(true);
		}
		if (foreground) {
			assertThat(operations.get()).as("foreground operations during the test").isPositive();
		}
	}

}
