package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import io.memquorum.metrics.MicrometerEngineMetrics;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.memquorum.engine.TestEngines.bytes;
import static io.memquorum.engine.TestEngines.envelopeOn;
import static io.memquorum.engine.TestEngines.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Failure handling against real memcached processes: stalls counted once, deletes that
 * outlive their tombstones, overflowed hints verified rather than flushed, lost adds, the
 * common pool, and restarts right after start. Moved nodes and a frozen application JVM
 * are in {@link NodeInAnotherProcessTests}; hints in a small heap in
 * {@link HintsInASmallHeapTests}.
 */
class FailureHandlingTests {

	private static final Duration TIMEOUT = Duration.ofMillis(400);

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, TestEngines.quickToNoticeFailures(TIMEOUT));

	@Test
	void pausedNodeStallingFortyQueuedCommandsAtOnceCountsOneFailureAndStaysUp() {
		ReplicatedMemcached engine = this.engines.open(ReadConsistency.FIRST_HIT);
		MemcachedNode paused = memcached.cluster().node(0);
		paused.pause();
		try {
			// Sent within a millisecond or two: their timeouts fall into one or two
			// scans.
			List<CompletableFuture<Void>> writes = new ArrayList<>();
			for (int i = 0; i < 40; i++) {
				writes.add(engine.setAsync("burst:" + i, bytes("v"), Duration.ZERO));
			}
			CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
			await().atMost(Duration.ofSeconds(3)).until(() -> status(engine, 0).pendingHints() == 40);
			assertThat(status(engine, 0).consecutiveFailures()).isBetween(1, 2);
			assertThat(status(engine, 0).state()).isEqualTo(NodeState.UP);
		}
		finally {
			paused.resume();
		}
	}

	@ParameterizedTest
	@EnumSource(ReadConsistency.class)
	void keyDeletedWhileAReplicaWasPausedLongerThanTombstonesLiveNeverReadsAgain(ReadConsistency readConsistency) {
		ReplicatedMemcached engine = this.engines
			.open((builder) -> builder.readConsistency(readConsistency).tombstoneTtl(Duration.ofSeconds(3)));
		engine.set("session", bytes("logged-in"), Duration.ZERO);
		MemcachedNode paused = memcached.cluster().node(2);
		await().until(() -> paused.rawGet("session") != null);
		// Only on this replica, so no refill brings it back: only a flush removes it.
		paused.rawSet("written-by-another-client", bytes("x"), 0, 0);
		paused.pause();
		engine.delete("session");
		await().atMost(Duration.ofSeconds(5)).until(() -> status(engine, 2).state() == NodeState.DOWN);
		// The tombstones on the two other replicas expire meanwhile: no verification
		// against them could find the delete.
		await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
		paused.resume();
		await().atMost(Duration.ofSeconds(10)).until(() -> status(engine, 2).readable());
		assertThat(paused.rawGet("written-by-another-client")).as("the returning replica was flushed").isNull();
		// Nothing or a tombstone (a refill may copy one still listed by a peer): never
		// the
		// deleted value.
		byte[] left = paused.rawGet("session");
		assertThat((left == null) ? null : Envelope.decode(Envelope.FLAGS, left).kind())
			.as("what the returning replica holds of the deleted key")
			.isIn(null, Envelope.Kind.TOMBSTONE);
		for (int i = 0; i < 100; i++) {
			assertThat(engine.get("session")).isNull();
		}
	}

	@Test
	void aNodePausedBrieflyWhoseHintsOverflowedIsVerifiedAgainstItsPeersNotFlushed() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		ReplicatedMemcached engine = this.engines.open((builder) -> builder.keyPrefix("app:")
			.hintCapacity(5)
			.refillCheckInterval(Duration.ofMillis(500))
			.metrics(new MicrometerEngineMetrics(registry)));
		MemcachedNode paused = memcached.cluster().node(0);
		String victim = engine.keyEncoder().encode("victim");
		String changed = engine.keyEncoder().encode("changed");
		engine.set("victim", bytes("alive"), Duration.ZERO);
		engine.set("changed", bytes("v1"), Duration.ZERO);
		await().until(() -> paused.rawGet(victim) != null && paused.rawGet(changed) != null);
		// Outside the key prefix: no refill copies it, so only a flush removes it.
		paused.rawSet("outside:item", bytes("x"), 0, 0);
		paused.pause();
		for (int i = 0; i < 20; i++) {
			engine.set("filler:" + i, bytes("v"), Duration.ZERO);
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> status(engine, 0).state() == NodeState.DOWN);
		await().atMost(Duration.ofSeconds(5)).until(() -> status(engine, 0).hintsOverflowed());
		double dropped = counter(registry, "memquorum.hints.dropped");
		// Missed once the log is full: their hints are dropped, so only comparing with
		// the peers finds them.
		engine.delete("victim");
		engine.set("changed", bytes("v2"), Duration.ZERO);
		// Hints are queued once every replica answered, which may come after the return.
		await().atMost(Duration.ofSeconds(5)).until(() -> counter(registry, "memquorum.hints.dropped") == dropped + 2);
		paused.resume();
		await().atMost(Duration.ofSeconds(20)).until(() -> status(engine, 0).readable());
		assertThat(status(engine, 0).hintsOverflowed()).isFalse();
		assertThat(paused.rawGet("outside:item")).as("an item of the returning replica").isNotNull();
		assertThat(counter(registry, "memquorum.node.flushes")).isZero();
		assertThat(counter(registry, "memquorum.node.verifications")).isPositive();
		assertThat(envelopeOn(paused, victim).isTombstone()).as("the delete it missed").isTrue();
		assertThat(envelopeOn(paused, changed).payload()).as("the newer value over its older one")
			.asString(StandardCharsets.UTF_8)
			.isEqualTo("v2");
		assertThat(envelopeOn(paused, engine.keyEncoder().encode("filler:19"))).isNotNull();
	}

	private static double counter(MeterRegistry registry, String name) {
		return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
	}

	@Test
	void lostAddPutsBackTheTombstoneItOverwroteSoAMajorityReadCannotBringADeletedValueBack() {
		String key = "deleted-then-added";
		long now = System.currentTimeMillis();
		// Two replicas hold the delete's tombstone; the third missed the delete and still
		// holds the older value.
		byte[] tombstone = Envelope.tombstone((now - 5_000) << 20, now + 60_000).encode();
		memcached.cluster().node(0).rawSet(key, tombstone, Envelope.FLAGS, 60);
		memcached.cluster().node(1).rawSet(key, tombstone, Envelope.FLAGS, 60);
		memcached.cluster()
			.node(2)
			.rawSet(key, Envelope.value((now - 10_000) << 20, 0, bytes("deleted value")).encode(), Envelope.FLAGS, 0);
		ReplicatedMemcached engine = this.engines
			.open((builder) -> builder.writeQuorum(WriteQuorum.ALL).readConsistency(ReadConsistency.MAJORITY));
		// The tombstones accept the add, the value declines it: with ALL the add loses
		// and is rolled back.
		assertThat(engine.add(key, bytes("added"), Duration.ZERO)).isFalse();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(List.of(0, 1))
				.allSatisfy((node) -> assertThat(envelopeOn(memcached.cluster().node(node), key).isTombstone())
					.as("replica %d holds the tombstone again", node)
					.isTrue()));
		for (int i = 0; i < 20; i++) {
			assertThat(engine.get(key)).isNull();
		}
	}

	@Test
	void contendedCompareAndSwapRetriesFinishWhileEveryCommonPoolThreadIsBlocked() throws Exception {
		ReplicatedMemcached engine = this.engines.open(ReadConsistency.FIRST_HIT);
		engine.set("counter", bytes("0"), Duration.ZERO);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch blocked = new CountDownLatch(ForkJoinPool.getCommonPoolParallelism());
		for (int i = 0; i < ForkJoinPool.getCommonPoolParallelism(); i++) {
			ForkJoinPool.commonPool().execute(() -> {
				blocked.countDown();
				try {
					release.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
		}
		try {
			assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
			List<Boolean> results = java.util.Collections.synchronizedList(new ArrayList<>());
			assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
				// Concurrent updates of one key collide, so compare-and-swap retries back
				// off: that pause must not need a common-pool thread.
				Thread[] writers = new Thread[4];
				for (int w = 0; w < writers.length; w++) {
					writers[w] = new Thread(() -> {
						for (int i = 0; i < 25; i++) {
							results.add(engine.update("counter",
									(current) -> bytes(Integer
										.toString(Integer.parseInt(new String(current, StandardCharsets.UTF_8)) + 1)),
									Duration.ZERO));
						}
					});
					writers[w].start();
				}
				for (Thread writer : writers) {
					writer.join();
				}
			});
			assertThat(results).hasSize(100).containsOnly(true);
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void nodeRestartedEmptyRightAfterTheEngineStartedIsNoticed() {
		ReplicatedMemcached engine = this.engines.open(ReadConsistency.FIRST_HIT);
		memcached.cluster().node(1).restartEmpty();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> status(engine, 1).restarts() == 1 && status(engine, 1).state() == NodeState.UP);
	}

}
