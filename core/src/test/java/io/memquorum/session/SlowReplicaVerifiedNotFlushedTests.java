package io.memquorum.session;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.NodeState;
import io.memquorum.engine.NodeStatus;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.refill.RefillStatus;
import io.memquorum.metrics.MicrometerEngineMetrics;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pause fault, many times, on one replica under concurrent session saves: a replica that
 * is only slow collects more hints than its log holds (saves that lose their
 * compare-and-swap on it after the quorum decided become hints). It must not be flushed:
 * it stops serving reads, is verified against its peers, serves reads again, and no
 * session or attribute is lost.
 */
class SlowReplicaVerifiedNotFlushedTests {

	private static final int SESSIONS = 12;

	private static final int SAVERS = 6;

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final MeterRegistry registry = new SimpleMeterRegistry();

	private ReplicatedMemcached engine;

	@AfterEach
	void closeEngine() {
		if (this.engine != null) {
			this.engine.close();
		}
	}

	@Test
	void aReplicaPausedManyTimesUnderConcurrentSavesOverflowsItsHintsAndIsVerifiedNotFlushed() throws Exception {
		// Short pauses against a long operation timeout: the replica is slow, never
		// timed out, so it stays up.
		this.engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.keyPrefix("app:")
			.readConsistency(ReadConsistency.FIRST_HIT)
			.operationTimeout(Duration.ofSeconds(3))
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(300))
			.restartCheckInterval(Duration.ofMillis(200))
			.hintCapacity(3)
			.refillCheckInterval(Duration.ofMillis(500))
			.metrics(new MicrometerEngineMetrics(this.registry))
			.build();
		ReplicatedSessionRepository repository = new ReplicatedSessionRepository(this.engine);
		MemcachedNode slow = memcached.cluster().node(1);
		// The extension flushes every node between tests: count from here.
		String flushesBefore = slow.stats().get("cmd_flush");
		// Outside the key prefix: no refill copies it, so only a flush removes it.
		slow.rawSet("outside:sentinel", "still here".getBytes(StandardCharsets.UTF_8), 0, 0);
		List<String> ids = new ArrayList<>();
		Map<String, Set<String>> saved = new ConcurrentHashMap<>();
		for (int i = 0; i < SESSIONS; i++) {
			ReplicatedSession session = repository.createSession();
			session.setAttribute("created", i);
			repository.save(session);
			ids.add(session.getId());
			saved.computeIfAbsent(session.getId(), (id) -> ConcurrentHashMap.newKeySet()).add("created");
		}
		AtomicBoolean saving = new AtomicBoolean(true);
		AtomicInteger saves = new AtomicInteger();
		Set<NodeState> statesSeen = ConcurrentHashMap.newKeySet();
		ExecutorService savers = Executors.newFixedThreadPool(SAVERS);
		List<Future<?>> running = new ArrayList<>();
		for (int t = 0; t < SAVERS; t++) {
			int saver = t;
			running.add(savers.submit(() -> {
				for (int n = 0; saving.get(); n++) {
					String id = ids.get(ThreadLocalRandom.current().nextInt(SESSIONS));
					ReplicatedSession session = repository.findById(id);
					assertThat(session).as("session %s while saving", id).isNotNull();
					String name = "saver-" + saver + "-" + n;
					session.setAttribute(name, n);
					repository.save(session);
					saved.get(id).add(name);
					saves.incrementAndGet();
				}
				return null;
			}));
		}
		// What the slow replica looked like, every 2 ms.
		AtomicBoolean readableWhileOverflowed = new AtomicBoolean();
		ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
		sampler.scheduleAtFixedRate(() -> {
			NodeStatus status = this.engine.nodeStatus().get(1);
			statesSeen.add(status.state());
			if (status.hintsOverflowed() && status.readable()) {
				readableWhileOverflowed.set(true);
			}
		}, 0, 2, TimeUnit.MILLISECONDS);
		try {
			for (int pause = 0; pause < 25; pause++) {
				slow.pause();
				await().pollDelay(Duration.ofMillis(120)).until(() -> true);
				slow.resume();
				await().pollDelay(Duration.ofMillis(80)).until(() -> true);
			}
		}
		finally {
			slow.resume();
			saving.set(false);
		}
		for (Future<?> future : running) {
			future.get(60, TimeUnit.SECONDS);
		}
		savers.shutdown();
		assertThat(saves.get()).isGreaterThan(100);
		assertThat(counter("memquorum.hints.dropped")).as("the slow replica's hints overflowed").isPositive();

		// Settled: every replica serves reads again and owes nothing.
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			for (NodeStatus status : this.engine.nodeStatus()) {
				assertThat(status.readable()).as("%s readable", status.address()).isTrue();
				assertThat(status.hintsOverflowed()).isFalse();
				assertThat(status.pendingHints()).isZero();
			}
		});
		sampler.shutdown();
		assertThat(statesSeen).as("the slow replica was never marked down").doesNotContain(NodeState.DOWN);
		assertThat(readableWhileOverflowed).as("the slow replica served reads while it owed unknown writes").isFalse();
		assertThat(counter("memquorum.node.flushes")).as("flushes").isZero();
		assertThat(slow.stats().get("cmd_flush")).as("flush_all received by the slow replica").isEqualTo(flushesBefore);
		assertThat(slow.rawGet("outside:sentinel")).as("an item of the slow replica").isNotNull();
		assertThat(counter("memquorum.node.verifications")).as("verifications").isPositive();
		assertThat(this.engine.refillStatus().get(1).phase()).isEqualTo(RefillStatus.Phase.COMPLETE);

		// No session or attribute lost, through the store and on the verified replica.
		for (String id : ids) {
			ReplicatedSession found = repository.findById(id);
			assertThat(found).as("session %s", id).isNotNull();
			assertThat(found.getAttributeNames()).as("attributes of %s", id).containsAll(saved.get(id));
			String key = this.engine.keyEncoder().encode(repository.sessionKey(id));
			byte[] onSlow = slow.rawGet(key);
			assertThat(onSlow).as("session %s on the verified replica", id).isNotNull();
			assertThat(StoredSession.decode(Envelope.decode(Envelope.FLAGS, onSlow).payload()).liveAttributes())
				.as("attributes of %s on the verified replica", id)
				.containsKeys(saved.get(id).toArray(String[]::new));
		}
	}

	private double counter(String name) {
		return this.registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
	}

}
