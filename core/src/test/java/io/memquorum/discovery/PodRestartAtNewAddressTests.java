package io.memquorum.discovery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.memquorum.engine.NodeState;
import io.memquorum.engine.NodeStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAddress;
import io.memquorum.placement.Placement;
import io.memquorum.test.DnsmasqServer;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.MemcachedOptions;
import io.memquorum.test.OpenedInTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Fault: kill a StatefulSet pod's memcached and start it again empty at a new address
 * under the same SRV target name (a pod rescheduled to another Kubernetes node). What
 * must hold: the node keeps its identity, so every key keeps its replicas, and the engine
 * reaches the new process, which takes writes again. Real dnsmasq, real memcached.
 */
class PodRestartAtNewAddressTests {

	private static final Logger logger = LoggerFactory.getLogger(PodRestartAtNewAddressTests.class);

	private static final String SERVICE = "_memcache._tcp.mc.test";

	@RegisterExtension
	final OpenedInTest opened = new OpenedInTest();

	@Test
	void aPodRestartedUnderTheSameSrvNameAtANewAddressKeepsItsPlaceInTheRing() {
		assumeThat(DnsmasqServer.locate()).as(DnsmasqServer.notInstalledMessage()).isNotNull();
		DnsmasqServer dns = this.opened.open(DnsmasqServer.start());
		List<MemcachedNode> pods = new ArrayList<>();
		List<String> targets = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			MemcachedNode pod = this.opened.open(MemcachedNode.start());
			pods.add(pod);
			dns.setAddresses("mc-" + i + ".mc.test", "127.0.0.1");
			targets.add("mc-" + i + ".mc.test:" + pod.port());
		}
		dns.setServices(SERVICE, targets);
		NodeDiscovery discovery = this.opened.open(NodeDiscovery.of(List.of("dnssrv+" + SERVICE), dns.address(),
				Duration.ofMillis(300), Duration.ofMillis(200)));
		List<String> nodes = discovery.start().stream().map(NodeAddress::toString).toList();
		ReplicatedMemcached engine = this.opened.open(ReplicatedMemcached.builder()
			.servers(nodes)
			.hostLookup(discovery)
			.replicationFactor(3)
			.operationTimeout(Duration.ofMillis(200))
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(300))
			.reconnectInterval(Duration.ofMillis(200))
			.reconnectGrace(Duration.ofMillis(500))
			.build());
		Map<String, List<NodeAddress>> placed = new HashMap<>();
		for (int i = 0; i < 40; i++) {
			String key = "key-" + i;
			engine.set(key, bytes(key), Duration.ofMinutes(5));
			placed.put(key, engine.placement().replicasFor(engine.keyEncoder().encode(key)));
		}

		MemcachedNode old = pods.get(0);
		int port = old.port();
		old.kill();
		MemcachedNode moved = this.opened.open(MemcachedNode.startAt(MemcachedOptions.defaults(), "127.0.0.2", port));
		dns.setAddresses("mc-0.mc.test", "127.0.0.2");
		long changedAt = System.nanoTime();

		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			assertThat(status(engine, "mc-0.mc.test:" + port).state()).isEqualTo(NodeState.UP);
		});
		assertThat(discovery.nodeNames()).isEqualTo(nodes);
		assertThat(discovery.changes()).isEmpty();
		Placement fresh = Placement.of(discovery.nodes(), 3);
		placed.forEach((key, replicas) -> assertThat(fresh.replicasFor(engine.keyEncoder().encode(key)))
			.as("replicas of %s", key)
			.isEqualTo(replicas));
		int onMoved = 0;
		for (int i = 0; i < 40; i++) {
			String key = "after-" + i;
			engine.set(key, bytes(key), Duration.ofMinutes(5));
			if (engine.placement()
				.replicasFor(engine.keyEncoder().encode(key))
				.contains(new NodeAddress("mc-0.mc.test", port))) {
				onMoved++;
			}
		}
		assertThat(onMoved).isPositive();
		int expected = onMoved;
		await().atMost(Duration.ofSeconds(10)).until(() -> moved.currentItems() >= expected);
		logger.info("From the DNS change to the moved pod holding its {} new keys: {} ms", expected,
				(System.nanoTime() - changedAt) / 1_000_000);
		for (int i = 0; i < 40; i++) {
			assertThat(engine.get("key-" + i)).isEqualTo(bytes("key-" + i));
		}
	}

	private static NodeStatus status(ReplicatedMemcached engine, String node) {
		return engine.nodeStatus()
			.stream()
			.filter((s) -> s.address().toString().equals(node))
			.findFirst()
			.orElseThrow();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
