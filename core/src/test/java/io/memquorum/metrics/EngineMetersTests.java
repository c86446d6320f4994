package io.memquorum.metrics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import io.memquorum.engine.NodeState;
import io.memquorum.engine.QuorumNotReachedException;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Every engine meter that docs/operations.md lists, except the refill ones
 * ({@code RefillMetersTests}), against real memcached: it is registered, and it moves
 * when the fault that is its event happens (pause, kill, restart empty, hostile bytes).
 * Gauges exist from the start; counters and timers appear at their first event.
 */
class EngineMetersTests {

	private static final Duration TIMEOUT = Duration.ofMillis(300);

	private static final Duration SETTLE = Duration.ofSeconds(15);

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final List<ReplicatedMemcached> engines = new ArrayList<>();

	private ReplicatedMemcached engine(UnaryOperator<ReplicatedMemcached.Builder> settings) {
		ReplicatedMemcached engine = settings
			.apply(ReplicatedMemcached.builder()
				.servers(memcached.cluster().addresses())
				.operationTimeout(TIMEOUT)
				.probeInterval(Duration.ofMillis(50))
				.maxProbeInterval(Duration.ofMillis(400))
				.restartCheckInterval(Duration.ofMillis(300))
				.reconnectInterval(Duration.ofMillis(200))
				.metrics(new MicrometerEngineMetrics(this.registry)))
			.build();
		this.engines.add(engine);
		return engine;
	}

	@AfterEach
	void closeEngines() {
		this.engines.forEach(ReplicatedMemcached::close);
	}

	@Test
	void nodeStateAndHintMetersFollowAPausedNodeThroughItsReturn() {
		ReplicatedMemcached engine = engine(UnaryOperator.identity());
		for (MemcachedNode node : memcached.cluster().nodes()) {
			assertThat(gauge("memquorum.node.state", node)).as("state of %s", node).isEqualTo(1.0);
			assertThat(gauge("memquorum.hints.pending", node)).as("hints for %s", node).isZero();
		}
		MemcachedNode paused = memcached.cluster().node(0);
		paused.pause();
		for (int i = 0; i < 20; i++) {
			engine.set("missed:" + i, bytes("v" + i), Duration.ZERO);
		}
		await().atMost(SETTLE).untilAsserted(() -> {
			assertThat(gauge("memquorum.node.state", paused)).isZero();
			assertThat(counter("memquorum.hints.queued", paused)).isPositive();
			assertThat(gauge("memquorum.hints.pending", paused)).isPositive();
		});
		assertThat(timer(paused, "set", "failure").count()).as("timed-out sets on the paused node").isPositive();
		assertThat(timer(memcached.cluster().node(1), "set", "success").count()).isPositive();
		assertThat(this.registry.find("memquorum.hints.replayed").counter()).as("nothing replayed yet").isNull();
		paused.resume();
		await().atMost(SETTLE).untilAsserted(() -> {
			assertThat(gauge("memquorum.node.state", paused)).isEqualTo(1.0);
			assertThat(gauge("memquorum.hints.pending", paused)).isZero();
			assertThat(counter("memquorum.hints.replayed", paused)).isPositive();
		});
	}

	@Test
	void readFailoversAndRepairsAndRestartsCountAReplicaRestartedEmpty() {
		// Without refill, only reads put the keys back on the restarted replica.
		ReplicatedMemcached engine = engine((builder) -> builder.refillEnabled(false));
		for (int i = 0; i < 30; i++) {
			engine.set("key:" + i, bytes("v" + i), Duration.ZERO);
		}
		MemcachedNode restarted = memcached.cluster().node(1);
		await().atMost(SETTLE).until(() -> restarted.currentItems() >= 30);
		await().atMost(SETTLE).until(() -> engine.nodeStatus().get(1).version() != null);
		restarted.restartEmpty();
		await().atMost(SETTLE).untilAsserted(() -> {
			assertThat(counter("memquorum.node.restarts", restarted)).isEqualTo(1.0);
			assertThat(engine.nodeStatus().get(1).readable()).isTrue();
		});
		assertThat(this.registry.find("memquorum.read.failovers").counter()).isNull();
		// Each read asks the replicas in random order: with 30 keys, the empty one comes
		// first for some of them.
		for (int i = 0; i < 30; i++) {
			assertThat(engine.get("key:" + i)).asString(StandardCharsets.UTF_8).isEqualTo("v" + i);
		}
		assertThat(counter("memquorum.read.failovers", restarted)).isPositive();
		await().atMost(SETTLE)
			.untilAsserted(() -> assertThat(counter("memquorum.read.repairs", restarted))
				.isEqualTo(counter("memquorum.read.failovers", restarted)));
	}

	@Test
	void hintsDroppedAndNodeFlushesCountAPausedNodeThatMissedMoreThanItsHintLogHolds() {
		ReplicatedMemcached engine = engine((builder) -> builder.hintCapacity(5).refillEnabled(false));
		MemcachedNode paused = memcached.cluster().node(0);
		paused.pause();
		for (int i = 0; i < 20; i++) {
			engine.set("filler:" + i, bytes("v"), Duration.ZERO);
		}
		await().atMost(SETTLE).until(() -> counter("memquorum.hints.dropped", paused) > 0);
		assertThat(this.registry.find("memquorum.node.flushes").counter()).isNull();
		paused.resume();
		await().atMost(SETTLE).until(() -> counter("memquorum.node.flushes", paused) == 1.0);
	}

	@Test
	void nodeReconnectsCountANodePausedPastTheReconnectGrace() {
		ReplicatedMemcached engine = engine((builder) -> builder.reconnectGrace(Duration.ofMillis(500)));
		MemcachedNode paused = memcached.cluster().node(2);
		paused.pause();
		for (int i = 0; i < 10; i++) {
			engine.set("during-pause:" + i, bytes("v"), Duration.ZERO);
		}
		await().atMost(SETTLE).until(() -> counter("memquorum.node.reconnects", paused) > 0);
		paused.resume();
		await().atMost(SETTLE).until(() -> gauge("memquorum.node.state", paused) == 1.0);
	}

	@Test
	void clientStallsCountTimeoutsOfEveryNodeAtOnceAndBlameNoNode() {
		ReplicatedMemcached engine = engine(UnaryOperator.identity());
		engine.set("everywhere", bytes("v"), Duration.ZERO);
		memcached.cluster().nodes().forEach(MemcachedNode::pause);
		assertThatExceptionOfType(QuorumNotReachedException.class)
			.isThrownBy(() -> engine.set("stalled", bytes("v"), Duration.ZERO));
		await().atMost(SETTLE)
			.until(() -> this.registry.find("memquorum.client.stalls").counter() != null
					&& this.registry.get("memquorum.client.stalls").counter().count() > 0);
		assertThat(engine.nodeStatus()).as("every node at once points at this JVM")
			.allSatisfy((status) -> assertThat(status.state()).isEqualTo(NodeState.UP));
		memcached.cluster().nodes().forEach(MemcachedNode::resume);
	}

	@Test
	void quorumFailuresCountWritesAndReadsThatCouldNotReachTheirQuorumByOperation() {
		ReplicatedMemcached engine = engine(UnaryOperator.identity());
		memcached.cluster().node(1).kill();
		memcached.cluster().node(2).kill();
		assertThatExceptionOfType(QuorumNotReachedException.class)
			.isThrownBy(() -> engine.set("lost", bytes("v"), Duration.ZERO));
		assertThat(this.registry.get("memquorum.quorum.failures").tag("operation", "set").counter().count())
			.isEqualTo(1.0);
		memcached.cluster().node(0).kill();
		await().atMost(SETTLE)
			.until(() -> engine.nodeStatus().stream().allMatch((status) -> status.state() == NodeState.DOWN));
		assertThatExceptionOfType(QuorumNotReachedException.class).isThrownBy(() -> engine.get("lost"));
		assertThat(this.registry.get("memquorum.quorum.failures").tag("operation", "get").counter().count())
			.isPositive();
	}

	@Test
	void valuesUnreadableCountsHostileBytesByReason() {
		ReplicatedMemcached engine = engine(UnaryOperator.identity());
		MemcachedNode hostile = memcached.cluster().node(0);
		for (MemcachedNode node : memcached.cluster().nodes()) {
			node.rawSet("planted", bytes("not an envelope"), 0, 0);
		}
		assertThat(engine.get("planted")).isNull();
		assertThat(this.registry.get("memquorum.values.unreadable")
			.tag("node", hostile.address())
			.tag("reason", "not-an-envelope")
			.counter()
			.count()).isPositive();
	}

	private double gauge(String name, MemcachedNode node) {
		Gauge gauge = this.registry.find(name).tag("node", node.address()).gauge();
		assertThat(gauge).as("%s for %s registered", name, node).isNotNull();
		return gauge.value();
	}

	private double counter(String name, MemcachedNode node) {
		Counter counter = this.registry.find(name).tag("node", node.address()).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private Timer timer(MemcachedNode node, String operation, String outcome) {
		return this.registry.get("memquorum.node.operations")
			.tag("node", node.address())
			.tag("operation", operation)
			.tag("outcome", outcome)
			.timer();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
