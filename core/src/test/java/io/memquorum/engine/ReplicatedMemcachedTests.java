package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.memquorum.metrics.MicrometerEngineMetrics;
import io.memquorum.refill.RefillStatus;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class ReplicatedMemcachedTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached,
			(builder) -> builder.metrics(new MicrometerEngineMetrics(this.registry)));

	private ReplicatedMemcached engine(ReadConsistency readConsistency) {
		return settled(this.engines.open(readConsistency));
	}

	/**
	 * The engine once its first refill checks are done: nodes an earlier test flushed are
	 * refilled when a new engine starts, and while a node may lack entries, reads ask it
	 * after its peers and refill copies race the test's own writes.
	 */
	private static ReplicatedMemcached settled(ReplicatedMemcached engine) {
		await().untilAsserted(() -> assertThat(engine.refillStatus())
			.allSatisfy((status) -> assertThat(status.phase()).isEqualTo(RefillStatus.Phase.COMPLETE)));
		return engine;
	}

	private ReplicatedMemcached engine() {
		return engine(ReadConsistency.FIRST_HIT);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	@Test
	void setStoresTheValueOnEveryReplica() {
		ReplicatedMemcached engine = engine();
		engine.set("greeting", bytes("hello"), Duration.ofMinutes(5));
		assertThat(engine.get("greeting")).asString(StandardCharsets.UTF_8).isEqualTo("hello");
		await().untilAsserted(() -> memcached.cluster()
			.nodes()
			.forEach((node) -> assertThat(node.rawGet("greeting")).as("copy on %s", node.address()).isNotNull()));
	}

	@Test
	void deleteLeavesATombstoneOnEveryReplicaAndReadsMiss() {
		ReplicatedMemcached engine = engine();
		engine.set("doomed", bytes("v"), Duration.ZERO);
		engine.delete("doomed");
		assertThat(engine.get("doomed")).isNull();
		await().untilAsserted(() -> memcached.cluster().nodes().forEach((node) -> {
			Envelope stored = Envelope.decode(Envelope.FLAGS, node.rawGet("doomed"));
			assertThat(stored).isNotNull();
			assertThat(stored.isTombstone()).isTrue();
		}));
	}

	@Test
	void addStoresOnlyWhenTheKeyIsAbsentOrDeleted() {
		ReplicatedMemcached engine = engine();
		assertThat(engine.add("lease", bytes("first"), Duration.ofMinutes(1))).isTrue();
		assertThat(engine.add("lease", bytes("second"), Duration.ofMinutes(1))).isFalse();
		assertThat(engine.get("lease")).asString(StandardCharsets.UTF_8).isEqualTo("first");
		engine.delete("lease");
		assertThat(engine.add("lease", bytes("third"), Duration.ofMinutes(1))).isTrue();
		assertThat(engine.get("lease")).asString(StandardCharsets.UTF_8).isEqualTo("third");
	}

	@Test
	void addIsDecidedByTheQuorumWhenOneReplicaLostItsCopy() {
		ReplicatedMemcached engine = engine();
		engine.set("held", bytes("original"), Duration.ZERO);
		memcached.cluster().node(0).flushAll();
		assertThat(engine.add("held", bytes("intruder"), Duration.ZERO)).isFalse();
		await().untilAsserted(() -> {
			byte[] raw = memcached.cluster().node(0).rawGet("held");
			Envelope onFlushed = (raw != null) ? Envelope.decode(Envelope.FLAGS, raw) : null;
			// Refill may meanwhile copy the original back onto the flushed node.
			assertThat(onFlushed == null || !onFlushed.isValue()
					|| new String(onFlushed.payload(), StandardCharsets.UTF_8).equals("original"))
				.as("the losing add was rolled back")
				.isTrue();
		});
		for (int i = 0; i < 30; i++) {
			assertThat(engine.get("held")).asString(StandardCharsets.UTF_8).isEqualTo("original");
		}
	}

	@Test
	void replaceAndTouchActOnlyOnLiveValues() {
		ReplicatedMemcached engine = engine();
		assertThat(engine.replace("absent", bytes("x"), Duration.ZERO)).isFalse();
		assertThat(engine.touch("absent", Duration.ofMinutes(1))).isFalse();
		engine.set("present", bytes("old"), Duration.ofSeconds(30));
		assertThat(engine.replace("present", bytes("new"), Duration.ofSeconds(30))).isTrue();
		assertThat(engine.touch("present", Duration.ofHours(1))).isTrue();
		assertThat(engine.get("present")).asString(StandardCharsets.UTF_8).isEqualTo("new");
		// touch returns at quorum; every replica must end up with the new lifetime.
		long fiftyMinutesFromNow = System.currentTimeMillis() + Duration.ofMinutes(50).toMillis();
		await().untilAsserted(() -> assertThat(memcached.cluster().nodes())
			.allSatisfy((node) -> assertThat(Envelope.decode(Envelope.FLAGS, node.rawGet("present")).expiresAtMillis())
				.isGreaterThan(fiftyMinutesFromNow)));
	}

	@Test
	void updateMergesIntoEachReplicaAndNeverResurrectsADeletedKey() {
		ReplicatedMemcached engine = engine();
		engine.set("counter", bytes("1"), Duration.ZERO);
		assertThat(engine.update("counter", (current) -> bytes(new String(current, StandardCharsets.UTF_8) + "+1"),
				Duration.ZERO))
			.isTrue();
		assertThat(engine.get("counter")).asString(StandardCharsets.UTF_8).isEqualTo("1+1");
		engine.delete("counter");
		assertThat(engine.update("counter", (current) -> bytes("resurrected"), Duration.ZERO)).isFalse();
		assertThat(engine.get("counter")).isNull();
	}

	@Test
	void ttlBeyondThirtyDaysIsSentAsAnAbsoluteTime() {
		ReplicatedMemcached engine = engine();
		// memcached reads a relative 40 days as a Unix time in 1970: the item would
		// expire at once.
		engine.set("long-lived", bytes("v"), Duration.ofDays(40));
		assertThat(engine.get("long-lived")).isNotNull();
	}

	@Test
	void shortTtlExpires() {
		ReplicatedMemcached engine = engine();
		engine.set("brief", bytes("v"), Duration.ofSeconds(1));
		assertThat(engine.get("brief")).isNotNull();
		await().atMost(Duration.ofSeconds(5)).until(() -> engine.get("brief") == null);
	}

	@Test
	void valueOverTheItemSizeLimitIsRejectedBeforeAnythingIsWritten() {
		ReplicatedMemcached engine = engine();
		assertThatExceptionOfType(ValueTooLargeException.class)
			.isThrownBy(() -> engine.set("big", new byte[1024 * 1024], Duration.ZERO))
			.withMessageContaining("over the item size limit of 1048576 bytes");
		assertThat(memcached.cluster().nodes()).allSatisfy((node) -> assertThat(node.rawGet("big")).isNull());
	}

	@Test
	void valueJustUnderTheLimitFitsRealMemcached() {
		ReplicatedMemcached engine = engine();
		byte[] value = new byte[1024 * 1024 - 200];
		value[value.length - 1] = 7;
		engine.set("nearly-big", value, Duration.ZERO);
		assertThat(engine.get("nearly-big")).isEqualTo(value);
	}

	@Test
	void corruptBytesOnOneReplicaFallThroughToAGoodOneAndAreCounted() {
		ReplicatedMemcached engine = engine();
		engine.set("fragile", bytes("intact"), Duration.ZERO);
		memcached.cluster().node(0).rawSet("fragile", bytes("garbage from another program"), 0, 0);
		for (int i = 0; i < 30; i++) {
			assertThat(engine.get("fragile")).asString(StandardCharsets.UTF_8).isEqualTo("intact");
		}
		assertThat(this.registry.get("memquorum.values.unreadable").counter().count()).isPositive();
	}

	@Test
	void corruptBytesOnEveryReplicaReadAsAMissNotAnError() {
		ReplicatedMemcached engine = engine();
		for (MemcachedNode node : memcached.cluster().nodes()) {
			node.rawSet("broken", new byte[] { 1, 2, 3 }, Envelope.FLAGS, 0);
		}
		assertThat(engine.get("broken")).isNull();
		assertThat(engine.getAll(List.of("broken"))).isEmpty();
	}

	@Test
	void readsOfOneHotKeySpreadEvenlyOverTheReplicas() {
		ReplicatedMemcached engine = engine();
		engine.set("hot", bytes("v"), Duration.ZERO);
		long[] before = memcached.cluster().nodes().stream().mapToLong(ReplicatedMemcachedTests::getHits).toArray();
		int reads = 3000;
		for (int i = 0; i < reads; i++) {
			engine.get("hot");
		}
		for (int i = 0; i < 3; i++) {
			long hits = getHits(memcached.cluster().node(i)) - before[i];
			assertThat((double) hits).as("reads served by node %d", i).isBetween(reads / 3 * 0.85, reads / 3 * 1.15);
		}
	}

	private static long getHits(MemcachedNode node) {
		return Long.parseLong(node.stats().get("get_hits"));
	}

	@Test
	void getAllFindsKeysThatSomeReplicasMiss() {
		ReplicatedMemcached engine = engine();
		List<String> keys = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			keys.add("batch:" + i);
			engine.set("batch:" + i, bytes("value " + i), Duration.ZERO);
		}
		memcached.cluster().node(0).flushAll();
		memcached.cluster().node(2).flushAll();
		Map<String, byte[]> found = engine.getAll(keys);
		assertThat(found).hasSize(200);
		assertThat(found.get("batch:17")).asString(StandardCharsets.UTF_8).isEqualTo("value 17");
	}

	@Test
	void majorityReadReturnsTheNewestVersionAndRepairsTheStaleReplica() {
		ReplicatedMemcached engine = engine(ReadConsistency.MAJORITY);
		engine.set("versioned", bytes("v1"), Duration.ZERO);
		await().until(() -> memcached.cluster().node(0).rawGet("versioned") != null);
		byte[] older = memcached.cluster().node(0).rawGet("versioned");
		engine.set("versioned", bytes("v2"), Duration.ZERO);
		await().until(() -> !java.util.Arrays.equals(memcached.cluster().node(0).rawGet("versioned"), older));
		memcached.cluster().node(0).rawSet("versioned", older, Envelope.FLAGS, 0);
		for (int i = 0; i < 20; i++) {
			assertThat(engine.get("versioned")).asString(StandardCharsets.UTF_8).isEqualTo("v2");
		}
		await().untilAsserted(() -> assertThat(
				Envelope.decode(Envelope.FLAGS, memcached.cluster().node(0).rawGet("versioned")).payload())
			.asString(StandardCharsets.UTF_8)
			.isEqualTo("v2"));
		assertThat(this.registry.get("memquorum.read.repairs").counters()).isNotEmpty();
	}

	@Test
	void quorumFailureNamesEveryFailingNode() {
		QuorumNotReachedException failure = new QuorumNotReachedException("set", "user:42", 2, 3, 1,
				Map.of(io.memquorum.node.NodeAddress.parse("127.0.0.1:11212"), "127.0.0.1:11212 timed out after 200 ms",
						io.memquorum.node.NodeAddress.parse("127.0.0.1:11213"), "is marked down"));
		assertThat(failure).hasMessage("set of 'user:42': 2 of 3 replicas needed, 1 acknowledged: "
				+ "127.0.0.1:11212 timed out after 200 ms; 127.0.0.1:11213 is marked down");
	}

}
