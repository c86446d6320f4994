package io.memquorum.engine;

import java.time.Duration;
import java.time.Instant;

import io.memquorum.refill.RefillTesting;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.memquorum.refill.RefillTesting.awaitComplete;
import static io.memquorum.refill.RefillTesting.awaitEveryNodeComplete;
import static io.memquorum.engine.TestEngines.bytes;
import static io.memquorum.engine.TestEngines.envelopeOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Copies between replicas (refill, read repair) never spread the value of an add that is
 * still in flight or has just lost: its rollback puts back an older tombstone, which the
 * copy would outlive. Each test puts such a value on one replica, with a key the copy
 * must spread alongside, so that "not copied" is seen after the copy happened.
 */
class UncommittedAddsTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, RefillTesting::fast);

	@Test
	void refillOfANodeRestartedEmptyDoesNotCopyTheValueOfAnAddThatHasNotWon() {
		Keys keys = onePendingAndOneSettledAdd();
		ReplicatedMemcached engine = keys.engine();
		Envelope uncommitted = keys.pending();
		Envelope committed = keys.settled();

		MemcachedNode restarted = memcached.cluster().node(0);
		Instant restartedAt = Instant.now();
		restarted.restartEmpty();
		awaitComplete(engine, restarted, restartedAt);

		assertThat(envelopeOn(restarted, "settled-add").version()).as("an ordinary newest value is copied")
			.isEqualTo(committed.version());
		Envelope copied = envelopeOn(restarted, "pending-add");
		if (copied != null) {
			assertThat(copied.version()).as("the add's value is not copied").isNotEqualTo(uncommitted.version());
		}
	}

	@Test
	void readRepairDoesNotCopyTheValueOfAnAddThatHasNotWonButCopiesItOnceItWon() {
		Keys keys = onePendingAndOneSettledAdd();
		ReplicatedMemcached engine = keys.engine();
		Envelope uncommitted = keys.pending();
		Envelope committed = keys.settled();

		engine.get("pending-add");
		engine.get("settled-add");
		// Repairs of one replica go over one connection in order: once the second key is
		// repaired, the first key's repair has been decided.
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(envelopeOn(memcached.cluster().node(0), "settled-add").version())
				.isEqualTo(committed.version()));
		assertThat(envelopeOn(memcached.cluster().node(0), "pending-add").isTombstone()).isTrue();

		engine.uncommittedAdds().won("pending-add", uncommitted.version());
		engine.get("pending-add");
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(envelopeOn(memcached.cluster().node(0), "pending-add").version())
				.isEqualTo(uncommitted.version()));
	}

	@Test
	void aWonAddIsForgottenAtOnceAndALostOneIsStillHeldAfterItsRollback() {
		ReplicatedMemcached engine = this.engines.open((builder) -> builder.readConsistency(ReadConsistency.MAJORITY));
		assertThat(engine.add("won", bytes("first"), Duration.ZERO)).isTrue();
		assertThat(engine.uncommittedAdds().size()).as("a won add").isZero();
		assertThat(engine.add("won", bytes("second"), Duration.ZERO)).as("the key is taken").isFalse();
		assertThat(engine.uncommittedAdds().size()).as("a lost add, for " + UncommittedAdds.RETENTION).isOne();
	}

	/**
	 * An engine whose refill is complete, and two keys each held as a newer value by
	 * replicas 1 and 2 over an older tombstone on replica 0: one the value of an add this
	 * engine has not seen win, the other an ordinary value.
	 */
	private Keys onePendingAndOneSettledAdd() {
		Instant opened = Instant.now();
		ReplicatedMemcached engine = this.engines.open((builder) -> builder.readConsistency(ReadConsistency.MAJORITY));
		// No refill copies anything behind the test's back.
		awaitEveryNodeComplete(engine, opened);
		long now = System.currentTimeMillis();
		Envelope pending = Envelope.value(now << 20, 0, bytes("added"));
		engine.uncommittedAdds().started("pending-add", pending.version());
		onOneReplicaOverTombstones("pending-add", pending, now);
		Envelope settled = onOneReplicaOverTombstones("settled-add", Envelope.value(now << 20, 0, bytes("set")), now);
		return new Keys(engine, pending, settled);
	}

	private record Keys(ReplicatedMemcached engine, Envelope pending, Envelope settled) {

	}

	/**
	 * Replica 0 holds an older tombstone, replicas 1 and 2 the value: every majority
	 * includes the value, so every read finds replica 0 stale.
	 */
	private static Envelope onOneReplicaOverTombstones(String key, Envelope value, long now) {
		byte[] tombstone = Envelope.tombstone((now - 5_000) << 20, now + 60_000).encode();
		memcached.cluster().node(0).rawSet(key, tombstone, Envelope.FLAGS, 60);
		memcached.cluster().node(1).rawSet(key, value.encode(), Envelope.FLAGS, 0);
		memcached.cluster().node(2).rawSet(key, value.encode(), Envelope.FLAGS, 0);
		return value;
	}

}
