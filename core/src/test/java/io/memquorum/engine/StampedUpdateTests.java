package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.memquorum.engine.TestEngines.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An update right after a MAJORITY read ({@link ReplicatedMemcached#getStamped}) starts
 * from what the read found on each replica, including a replica whose answer is still on
 * its way: it is not read a second time.
 */
class StampedUpdateTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached,
			(builder) -> builder.operationTimeout(Duration.ofSeconds(3)).refillEnabled(false));

	@Test
	void aReplicaPausedDuringTheReadIsWrittenFromThatReadOnceItAnswersWithoutASecondGet() {
		ReplicatedMemcached engine = this.engines.open(ReadConsistency.MAJORITY);
		engine.set("counter", bytes("1"), Duration.ZERO);
		MemcachedNode paused = memcached.cluster().node(2);
		await().until(() -> paused.rawGet("counter") != null);
		long getsBefore = stat(paused, "cmd_get");
		long casBefore = stat(paused, "cas_hits");

		// Pause: the read decides on the two others, and the paused replica's answer is
		// still on its way when the update starts.
		paused.pause();
		boolean stored;
		try {
			StampedValue read = engine.getStamped("counter");
			assertThat(read.value()).asString(StandardCharsets.UTF_8).isEqualTo("1");
			stored = engine.update("counter", (current) -> bytes(new String(current, StandardCharsets.UTF_8) + "+1"),
					(payload) -> 0, read.stamp());
		}
		finally {
			paused.resume();
		}

		assertThat(stored).isTrue();
		await().until(() -> stat(paused, "cas_hits") == casBefore + 1);
		assertThat(stat(paused, "cmd_get") - getsBefore).as("gets the paused replica served").isOne();
		assertThat(TestEngines.envelopeOn(paused, engine.keyEncoder().encode("counter")).payload())
			.asString(StandardCharsets.UTF_8)
			.isEqualTo("1+1");
	}

	@Test
	void aReplicaKilledWhileItsAnswerToTheReadWasOnItsWayGetsTheWriteAsAHintAndTheUpdateStands() {
		ReplicatedMemcached engine = this.engines.open(ReadConsistency.MAJORITY);
		engine.set("counter", bytes("1"), Duration.ZERO);
		MemcachedNode lost = memcached.cluster().node(2);
		await().until(() -> lost.rawGet("counter") != null);

		// Fault: pause, so the read decides without this replica; then kill, so its
		// answer never comes and a second read of it fails too.
		lost.pause();
		StampedValue read = engine.getStamped("counter");
		boolean stored = engine.update("counter",
				(current) -> bytes(new String(current, StandardCharsets.UTF_8) + "+1"), (payload) -> 0, read.stamp());
		lost.kill();

		assertThat(stored).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> TestEngines.status(engine, 2).pendingHints() == 1);
		assertThat(engine.get("counter")).asString(StandardCharsets.UTF_8).isEqualTo("1+1");
	}

	private static long stat(MemcachedNode node, String name) {
		return Long.parseLong(node.stats().get(name).trim());
	}

}
