package io.memquorum.engine;

import java.time.Duration;
import java.util.List;

import io.memquorum.engine.ReplicaEntry.Holding;
import io.memquorum.node.NodeAddress;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.memquorum.engine.TestEngines.bytes;
import static io.memquorum.engine.TestEngines.envelopeOn;
import static io.memquorum.engine.TestEngines.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * {@link ReplicatedMemcached#inspect} and {@link ReplicatedMemcached#verify} against
 * three real memcached nodes: what each replica holds, including a tombstone, hostile
 * bytes and a killed node, and which verification requests are refused.
 */
class ReplicaInspectionTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, TestEngines.quickToNoticeFailures(Duration.ofMillis(300)));

	@Test
	void aDeletedKeyShowsTombstonesAndHostileBytesOnOneReplicaShowUnreadableWithTheReason() {
		ReplicatedMemcached engine = this.engines.open(ReadConsistency.FIRST_HIT);
		String encoded = engine.keyEncoder().encode("gone");
		engine.set("gone", bytes("value"), Duration.ZERO);
		engine.delete("gone");
		// Deletes return at quorum: wait for every replica's tombstone.
		await().until(() -> memcached.cluster().nodes().stream().allMatch((node) -> {
			Envelope held = envelopeOn(node, encoded);
			return held != null && held.isTombstone();
		}));
		List<ReplicaEntry> entries = engine.inspect("gone");
		assertThat(entries).hasSize(3).allSatisfy((entry) -> {
			assertThat(entry.holds()).isEqualTo(Holding.TOMBSTONE);
			assertThat(entry.size()).isZero();
			assertThat(entry.version()).isPositive();
		});

		// Hostile bytes: another client writes over the key on one node.
		MemcachedNode hostile = memcached.cluster().node(1);
		hostile.rawSet(encoded, bytes("not an envelope"), 0, 0);
		ReplicaEntry overwritten = entryOf(engine.inspect("gone"), hostile);
		assertThat(overwritten.holds()).isEqualTo(Holding.UNREADABLE);
		assertThat(overwritten.problem()).isEqualTo("not-an-envelope");
		assertThat(overwritten.version()).isEqualTo(-1);
		// Inspecting repairs nothing: the hostile bytes are still there.
		assertThat(hostile.rawGet(encoded)).isEqualTo(bytes("not an envelope"));
	}

	@Test
	void aKilledNodeIsNotAskedOnceDownAndCannotBeVerified() {
		ReplicatedMemcached engine = this.engines.open(ReadConsistency.FIRST_HIT);
		engine.set("k", bytes("v"), Duration.ZERO);
		String encoded = engine.keyEncoder().encode("k");
		await().until(() -> memcached.cluster().nodes().stream().allMatch((node) -> node.rawGet(encoded) != null));
		MemcachedNode killed = memcached.cluster().node(2);
		killed.kill();
		engine.set("k", bytes("v2"), Duration.ZERO);
		await().atMost(Duration.ofSeconds(10)).until(() -> status(engine, 2).state() == NodeState.DOWN);
		ReplicaEntry down = entryOf(engine.inspect("k"), killed);
		assertThat(down.holds()).isEqualTo(Holding.NOT_ASKED);
		assertThat(down.state()).isEqualTo(NodeState.DOWN);
		assertThat(entryOf(engine.inspect("k"), memcached.cluster().node(0)).holds()).isEqualTo(Holding.VALUE);
		assertThat(engine.verify(NodeAddress.parse(killed.address()), "test")).isFalse();
	}

	@Test
	void verifyingANodeThatIsNotOneOfTheEnginesIsAnError() {
		ReplicatedMemcached engine = this.engines.open(ReadConsistency.FIRST_HIT);
		assertThatIllegalArgumentException().isThrownBy(() -> engine.verify(NodeAddress.parse("127.0.0.1:1"), "test"))
			.withMessageContaining("No memcached node 127.0.0.1:1");
	}

	private static ReplicaEntry entryOf(List<ReplicaEntry> entries, MemcachedNode node) {
		return entries.stream()
			.filter((entry) -> entry.address().toString().equals(node.address()))
			.findFirst()
			.orElseThrow();
	}

}
