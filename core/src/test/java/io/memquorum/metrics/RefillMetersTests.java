package io.memquorum.metrics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import io.memquorum.engine.RefillStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.MemcachedOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code memquorum.refill.*} meters that docs/operations.md lists, against real
 * memcached: registered for every node, and moving when a node restarted empty is
 * refilled, or when a refill cannot finish (the LRU crawler disabled).
 */
class RefillMetersTests {

	private static final Duration SETTLE = Duration.ofSeconds(30);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final List<ReplicatedMemcached> engines = new ArrayList<>();

	ReplicatedMemcached engine(MemcachedClusterExtension memcached,
			UnaryOperator<ReplicatedMemcached.Builder> settings) {
		ReplicatedMemcached engine = settings
			.apply(ReplicatedMemcached.builder()
				.servers(memcached.cluster().addresses())
				.operationTimeout(Duration.ofMillis(500))
				.probeInterval(Duration.ofMillis(50))
				.maxProbeInterval(Duration.ofMillis(400))
				.restartCheckInterval(Duration.ofMillis(300))
				.reconnectInterval(Duration.ofMillis(200))
				.refillCheckInterval(Duration.ofMillis(300))
				.refillLeaseTtl(Duration.ofSeconds(10))
				.metrics(new MicrometerEngineMetrics(this.registry)))
			.build();
		this.engines.add(engine);
		return engine;
	}

	@AfterEach
	void closeEngines() {
		this.engines.forEach(ReplicatedMemcached::close);
	}

	@Nested
	class WithTheCrawler {

		@RegisterExtension
		static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

		@Test
		void aNodeRestartedEmptyIsCountedAsOneCompleteRunWithItsEntriesAndBytesWhileActiveAndProgressMove() {
			// 400 entries at 100 a second: about four seconds of refill to watch.
			ReplicatedMemcached engine = engine(memcached,
					(builder) -> builder.refillEntriesPerSecond(100).refillBytesPerSecond(1L << 30));
			MemcachedNode restarted = memcached.cluster().node(1);
			await().atMost(SETTLE)
				.untilAsserted(() -> assertThat(engine.refillStatus())
					.allSatisfy((status) -> assertThat(status.phase()).isEqualTo(RefillStatus.Phase.COMPLETE)));
			for (MemcachedNode node : memcached.cluster().nodes()) {
				assertThat(gauge("memquorum.refill.active", node)).as("active on %s", node).isZero();
				assertThat(gauge("memquorum.refill.progress", node)).as("progress of %s", node).isEqualTo(1.0);
			}
			for (int i = 0; i < 400; i++) {
				engine.set("kept:" + i, bytes("value " + i), Duration.ofMinutes(10));
			}
			await().atMost(SETTLE).until(() -> restarted.currentItems() >= 400);
			double runsBefore = runs(restarted, "complete");
			restarted.restartEmpty();
			await().atMost(SETTLE).untilAsserted(() -> {
				assertThat(gauge("memquorum.refill.active", restarted)).isEqualTo(1.0);
				assertThat(gauge("memquorum.refill.progress", restarted)).isStrictlyBetween(0.0, 1.0);
			});
			await().atMost(SETTLE).until(() -> runs(restarted, "complete") == runsBefore + 1);
			assertThat(runs(restarted, "started")).isGreaterThanOrEqualTo(runsBefore + 1);
			assertThat(gauge("memquorum.refill.active", restarted)).isZero();
			assertThat(gauge("memquorum.refill.progress", restarted)).isEqualTo(1.0);
			assertThat(counter("memquorum.refill.entries", restarted)).isGreaterThanOrEqualTo(400);
			assertThat(counter("memquorum.refill.bytes", restarted)).isGreaterThan(400 * (double) "value 0".length());
			assertThat(counter("memquorum.refill.entries", memcached.cluster().node(0))).as("nothing to copy there")
				.isZero();
		}

	}

	@Nested
	class WithoutTheCrawler {

		@RegisterExtension
		static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3,
				MemcachedOptions.defaults().withExtraArguments("-o", "no_lru_crawler"));

		@Test
		void aRefillThatCannotListThePeersKeysIsCountedIncompleteAndNeverActiveAfterwards() {
			ReplicatedMemcached engine = engine(memcached, UnaryOperator.identity());
			MemcachedNode node = memcached.cluster().node(0);
			await().atMost(SETTLE).until(() -> runs(node, "incomplete") > 0);
			await().atMost(SETTLE)
				.untilAsserted(() -> assertThat(engine.refillStatus().get(0).phase())
					.isEqualTo(RefillStatus.Phase.INCOMPLETE));
			assertThat(runs(node, "complete")).isZero();
			assertThat(gauge("memquorum.refill.active", node)).isZero();
			assertThat(counter("memquorum.refill.entries", node)).isZero();
		}

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

	private double runs(MemcachedNode node, String outcome) {
		Counter counter = this.registry.find("memquorum.refill.runs")
			.tag("node", node.address())
			.tag("outcome", outcome)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
