package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.memquorum.metrics.EngineMetrics;
import io.memquorum.node.NodeAddress;
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

	@Test
	void forAKeyWithItsOwnMergeAReplicaThatLosesItsSwapAfterTheWriteWasDecidedGetsTheWriteAsAHint() {
		AtomicInteger hintsQueued = new AtomicInteger();
		ReplicatedMemcached engine = openCountingHints(hintsQueued);
		engine.mergeUnder("set:", TestEngines::unionOfLetters);
		MemcachedNode slow = memcached.cluster().node(2);
		String encoded = engine.keyEncoder().encode("set:letters");
		StampedValue read = readWithAStaleStampOn(engine, slow, encoded, "set:letters");

		// Pause: the two others decide the write before the slow replica's swap is
		// answered.
		updateWhilePaused(engine, slow, "set:letters", read);

		// Its swap loses, and it is not retried: the write is kept as a hint, whose
		// replay merges it in.
		await().untilAsserted(() -> assertThat(hintsQueued).hasValue(1));
		await().untilAsserted(
				() -> assertThat(TestEngines.envelopeOn(slow, encoded).payload()).asString(StandardCharsets.UTF_8)
					.isEqualTo("abc"));
	}

	@Test
	void forAKeyWithoutItsOwnMergeAReplicaThatLosesItsSwapAfterTheWriteWasDecidedRetriesIt() {
		AtomicInteger hintsQueued = new AtomicInteger();
		ReplicatedMemcached engine = openCountingHints(hintsQueued);
		MemcachedNode slow = memcached.cluster().node(2);
		String encoded = engine.keyEncoder().encode("letters");
		StampedValue read = readWithAStaleStampOn(engine, slow, encoded, "letters");

		updateWhilePaused(engine, slow, "letters", read);

		// An update function cannot be replayed from a hint: the replica applies it
		// itself, by retrying.
		await().untilAsserted(
				() -> assertThat(TestEngines.envelopeOn(slow, encoded).payload()).asString(StandardCharsets.UTF_8)
					.isEqualTo("abc"));
		assertThat(hintsQueued).hasValue(0);
	}

	private ReplicatedMemcached openCountingHints(AtomicInteger hintsQueued) {
		return this.engines
			.open((builder) -> builder.readConsistency(ReadConsistency.MAJORITY).metrics(new EngineMetrics() {
				@Override
				public void hintQueued(NodeAddress node) {
					hintsQueued.incrementAndGet();
				}
			}));
	}

	/**
	 * A stamped read after which another writer changed {@code slow}: the swap the stamp
	 * prepares there will lose.
	 */
	private static StampedValue readWithAStaleStampOn(ReplicatedMemcached engine, MemcachedNode slow, String encoded,
			String key) {
		engine.set(key, bytes("ab"), Duration.ZERO);
		await().until(() -> slow.rawGet(encoded) != null);
		StampedValue read = engine.getStamped(key);
		NodeAddress slowAddress = NodeAddress.parse(memcached.cluster().addresses().get(2));
		await().until(() -> read.stamp().knows(slowAddress));
		slow.rawSet(encoded, slow.rawGet(encoded), Envelope.FLAGS, 0);
		return read;
	}

	private static void updateWhilePaused(ReplicatedMemcached engine, MemcachedNode slow, String key,
			StampedValue read) {
		long lostBefore = stat(slow, "cas_badval");
		slow.pause();
		boolean stored;
		try {
			stored = engine.update(key, (current) -> bytes(new String(current, StandardCharsets.UTF_8) + "c"),
					(payload) -> 0, read.stamp());
		}
		finally {
			slow.resume();
		}
		assertThat(stored).isTrue();
		await().until(() -> stat(slow, "cas_badval") >= lostBefore + 1);
	}

	private static long stat(MemcachedNode node, String name) {
		return Long.parseLong(node.stats().get(name).trim());
	}

}
