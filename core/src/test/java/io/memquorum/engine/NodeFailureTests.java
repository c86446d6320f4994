package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.memquorum.engine.TestEngines.bytes;
import static io.memquorum.engine.TestEngines.envelopeOn;
import static io.memquorum.engine.TestEngines.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What must hold when memcached nodes are killed, restarted empty, paused and resumed.
 */
class NodeFailureTests {

	private static final Duration TIMEOUT = Duration.ofMillis(400);

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, TestEngines.quickToNoticeFailures(TIMEOUT));

	private ReplicatedMemcached engine(ReadConsistency readConsistency) {
		return this.engines.open(readConsistency);
	}

	private ReplicatedMemcached engine() {
		return engine(ReadConsistency.FIRST_HIT);
	}

	@Test
	void restartingOneOfThreeNodesEmptyLosesNoKeyAndTheNodeIsRepaired() {
		ReplicatedMemcached engine = engine();
		for (int i = 0; i < 1000; i++) {
			engine.set("key:" + i, bytes("value " + i), Duration.ofMinutes(10));
		}
		MemcachedNode restarted = memcached.cluster().node(1);
		restarted.restartEmpty();
		assertThat(restarted.currentItems()).isZero();
		int misses = 0;
		for (int i = 0; i < 1000; i++) {
			byte[] value = engine.get("key:" + i);
			if (value == null || !new String(value, StandardCharsets.UTF_8).equals("value " + i)) {
				misses++;
			}
		}
		assertThat(misses).isZero();
		// Each read repairs the restarted node when it was asked before the hit; keep
		// reading
		// until every key is back on it.
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			for (int i = 0; i < 1000; i++) {
				assertThat(engine.get("key:" + i)).isNotNull();
			}
			return restarted.currentItems() >= 1000;
		});
		Envelope repaired = envelopeOn(restarted, "key:7");
		assertThat(repaired.payload()).asString(StandardCharsets.UTF_8).isEqualTo("value 7");
	}

	@Test
	void killingANodeDuringConcurrentLoadFailsNoOperation() throws Exception {
		ReplicatedMemcached engine = engine();
		int threads = 8;
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicInteger operations = new AtomicInteger();
		ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
		CountDownLatch started = new CountDownLatch(threads);
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		for (int t = 0; t < threads; t++) {
			int thread = t;
			pool.submit(() -> {
				started.countDown();
				int i = 0;
				while (running.get()) {
					String key = "load:" + thread + ":" + (i % 200);
					String value = "v" + i;
					try {
						engine.set(key, bytes(value), Duration.ofMinutes(5));
						byte[] read = engine.get(key);
						if (read == null || !new String(read, StandardCharsets.UTF_8).equals(value)) {
							failures.add(new AssertionError("read " + key + " after writing " + value + ", got "
									+ ((read != null) ? new String(read, StandardCharsets.UTF_8) : null)));
						}
					}
					catch (Throwable ex) {
						failures.add(ex);
					}
					operations.incrementAndGet();
					i++;
				}
			});
		}
		started.await();
		await().until(() -> operations.get() > 2000);
		memcached.cluster().node(2).kill();
		int atKill = operations.get();
		await().atMost(Duration.ofSeconds(20)).until(() -> operations.get() > atKill + 4000);
		running.set(false);
		pool.shutdown();
		assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		assertThat(failures).isEmpty();
		assertThat(status(engine, 2).state()).isEqualTo(NodeState.DOWN);
	}

	@Test
	void pausedNodeIsMarkedDownAfterThreeFailuresThenOperationsStopWaitingForIt() {
		ReplicatedMemcached engine = engine();
		engine.set("before-pause", bytes("v"), Duration.ZERO);
		MemcachedNode paused = memcached.cluster().node(0);
		paused.pause();
		// Writes finish once the two live replicas acknowledge, reads at worst after one
		// timeout.
		for (int i = 0; i < 3; i++) {
			long start = System.nanoTime();
			engine.set("during-pause:" + i, bytes("v" + i), Duration.ZERO);
			assertThat(engine.get("before-pause")).isNotNull();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.multipliedBy(2));
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> status(engine, 0).state() == NodeState.DOWN);
		// Once down, the paused node is skipped without a round trip: no operation waits
		// for a
		// timeout any more.
		for (int i = 0; i < 20; i++) {
			long start = System.nanoTime();
			engine.set("after-down:" + i, bytes("v" + i), Duration.ZERO);
			assertThat(engine.get("after-down:" + i)).isNotNull();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.dividedBy(2));
		}
		assertThat(status(engine, 0).pendingHints()).isGreaterThanOrEqualTo(20);
		assertThat(status(engine, 0).readable()).isFalse();
	}

	@Test
	void lateReplyOfAWriteIsSettledWhileAStageDependingOnTheWriteStillRuns() {
		ReplicatedMemcached engine = engine();
		MemcachedNode paused = memcached.cluster().node(0);
		paused.pause();
		// The write succeeds on the two live replicas; the paused one times out later,
		// and settling that late reply queues its hint. The stage runs on the thread that
		// delivered the deciding reply: settling the late reply must not wait for it (it
		// did while results were completed inside the write's lock).
		CompletableFuture<Integer> hintsSeenByStage = engine.setAsync("late-reply", bytes("v"), Duration.ZERO)
			.thenApply((written) -> {
				await().atMost(TIMEOUT.multipliedBy(5)).until(() -> status(engine, 0).pendingHints() > 0);
				return status(engine, 0).pendingHints();
			});
		assertThat(hintsSeenByStage).succeedsWithin(TIMEOUT.multipliedBy(10)).isEqualTo(1);
	}

	@Test
	void resumedNodeGetsItsHintsReplayedBeforeItServesReads() {
		ReplicatedMemcached engine = engine();
		MemcachedNode paused = memcached.cluster().node(0);
		paused.pause();
		for (int i = 0; i < 50; i++) {
			engine.set("missed:" + i, bytes("v" + i), Duration.ZERO);
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> status(engine, 0).state() == NodeState.DOWN);
		assertThat(status(engine, 0).pendingHints()).isPositive();
		paused.resume();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			NodeStatus status = status(engine, 0);
			// Never readable while it still owes writes.
			assertThat(status.readable()).isEqualTo(status.state() == NodeState.UP && status.pendingHints() == 0);
			assertThat(status.state()).isEqualTo(NodeState.UP);
			assertThat(status.pendingHints()).isZero();
		});
		for (int i = 0; i < 50; i++) {
			assertThat(envelopeOn(paused, "missed:" + i).payload()).asString(StandardCharsets.UTF_8).isEqualTo("v" + i);
		}
	}

	@Test
	void withTwoOfThreeNodesDownWritesFailWithTheQuorumErrorAndReadsServeTheSurvivor() {
		ReplicatedMemcached engine = engine();
		engine.set("survivor", bytes("kept"), Duration.ZERO);
		memcached.cluster().node(1).kill();
		memcached.cluster().node(2).pause();
		assertThatExceptionOfType(QuorumNotReachedException.class)
			.isThrownBy(() -> engine.set("lost", bytes("v"), Duration.ZERO))
			.withMessageStartingWith("set of 'lost': 2 of 3 replicas needed, 1 acknowledged: ")
			.withMessageContaining(memcached.cluster().node(1).address())
			.withMessageContaining(memcached.cluster().node(2).address());
		for (int i = 0; i < 10; i++) {
			assertThat(engine.get("survivor")).asString(StandardCharsets.UTF_8).isEqualTo("kept");
		}
		memcached.cluster().heal();
		await().atMost(Duration.ofSeconds(15))
			.untilAsserted(() -> assertThat(engine.nodeStatus())
				.allSatisfy((status) -> assertThat(status.state()).as("state of %s", status.address())
					.isEqualTo(NodeState.UP)));
		engine.set("recovered", bytes("v"), Duration.ZERO);
		assertThat(engine.get("recovered")).isNotNull();
		assertThat(engine.isWriteQuorumReachable()).isTrue();
	}

	@ParameterizedTest
	@EnumSource(ReadConsistency.class)
	void keyDeletedWhileAReplicaWasPausedNeverReadsAgain(ReadConsistency readConsistency) {
		ReplicatedMemcached engine = engine(readConsistency);
		engine.set("session", bytes("logged-in"), Duration.ofMinutes(30));
		await().until(() -> memcached.cluster().node(2).rawGet("session") != null);
		MemcachedNode paused = memcached.cluster().node(2);
		paused.pause();
		engine.delete("session");
		assertThat(engine.get("session")).isNull();
		paused.resume();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(status(engine, 2).pendingHints()).isZero();
			assertThat(status(engine, 2).state()).isEqualTo(NodeState.UP);
		});
		for (int i = 0; i < 100; i++) {
			assertThat(engine.get("session")).isNull();
		}
		assertThat(envelopeOn(paused, "session").isTombstone()).isTrue();
	}

	@Test
	void nodeRestartedEmptyWithoutBeingMarkedDownIsNoticedAndCounted() {
		ReplicatedMemcached engine = engine();
		await().until(() -> status(engine, 0).version() != null);
		memcached.cluster().node(0).restartEmpty();
		await().atMost(Duration.ofSeconds(10)).until(() -> status(engine, 0).restarts() == 1);
		await().atMost(Duration.ofSeconds(10)).until(() -> status(engine, 0).state() == NodeState.UP);
	}

	@Test
	void overflowedHintsFlushTheReturningNodeBeforeItServesReads() {
		// Refill would copy the current value back right after the flush; this test looks
		// at the flush itself.
		ReplicatedMemcached engine = this.engines.open((builder) -> builder.hintCapacity(5).refillEnabled(false));
		engine.set("stale", bytes("old"), Duration.ZERO);
		await().until(() -> memcached.cluster().node(0).rawGet("stale") != null);
		MemcachedNode paused = memcached.cluster().node(0);
		paused.pause();
		for (int i = 0; i < 20; i++) {
			engine.set("filler:" + i, bytes("v"), Duration.ZERO);
		}
		// Hints are queued once the paused replica's writes time out.
		await().atMost(Duration.ofSeconds(5)).until(() -> status(engine, 0).hintsOverflowed());
		paused.resume();
		await().atMost(Duration.ofSeconds(10)).until(() -> status(engine, 0).state() == NodeState.UP);
		// Flushed, then given the five hints it remembered: the value from before the
		// pause is gone.
		assertThat(paused.rawGet("stale")).isNull();
		assertThat(engine.get("stale")).asString(StandardCharsets.UTF_8).isEqualTo("old");
	}

}
