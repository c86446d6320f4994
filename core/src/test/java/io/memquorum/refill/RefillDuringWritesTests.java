package io.memquorum.refill;

import java.time.Duration;
import java.time.Instant;

import io.memquorum.engine.Envelope;
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
 * Writes made while a node is refilled win over the older copies refill brings.
 */
class RefillDuringWritesTests {

	private static final int ENTRIES = 2_000;

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, RefillTesting::fast);

	@Test
	void aValueWrittenWhileTheNodeIsRefilledIsNotOverwrittenByTheOlderCopy() {
		ReplicatedMemcached engine = this.engines.open((builder) -> builder.refillEntriesPerSecond(1_000));
		RefillTesting.awaitEveryNodeComplete(engine, Instant.EPOCH);
		RefillTesting.inBatches(ENTRIES,
				(i) -> engine.setAsync("race:" + i, bytes("old " + i), Duration.ofMinutes(10)));
		for (MemcachedNode node : memcached.cluster().nodes()) {
			await().atMost(RefillTesting.SETTLE).until(() -> node.currentItems() >= ENTRIES + 1);
		}
		MemcachedNode restarted = memcached.cluster().node(0);

		Instant restart = Instant.now();
		restarted.restartEmpty();
		await().atMost(RefillTesting.SETTLE).pollInterval(Duration.ofMillis(20)).until(() -> {
			RefillStatus status = RefillTesting.refillOf(engine, restarted.address());
			return status.phase() == RefillStatus.Phase.REFILLING && status.examined() >= 100;
		});
		RefillTesting.inBatches(ENTRIES,
				(i) -> engine.setAsync("race:" + i, bytes("new " + i), Duration.ofMinutes(10)));
		RefillStatus duringWrites = RefillTesting.refillOf(engine, restarted.address());
		assertThat(duringWrites.phase()).as("the refill still ran when the new values were written")
			.isEqualTo(RefillStatus.Phase.REFILLING);
		assertThat(duringWrites.examined()).isLessThan(ENTRIES);

		RefillTesting.awaitComplete(engine, restarted, restart);
		for (int i = 0; i < ENTRIES; i++) {
			Envelope envelope = RefillTesting.envelopeOn(restarted, "race:" + i);
			assertThat(envelope).as("race:%d", i).isNotNull();
			assertThat(envelope.payload()).as("race:%d", i).asString().isEqualTo("new " + i);
		}
	}

}
