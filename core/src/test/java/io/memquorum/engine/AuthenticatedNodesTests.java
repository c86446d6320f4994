package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeAuthenticationException;
import io.memquorum.node.NodeCredentials;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.MemcachedOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Engines on real memcached nodes started with {@code -Y} auth files.
 */
class AuthenticatedNodesTests {

	private static final MemcachedOptions APP = MemcachedOptions.defaults().withCredentials("app", "right-password");

	private final List<MemcachedNode> nodes = new ArrayList<>();

	private final List<ReplicatedMemcached> engines = new ArrayList<>();

	@AfterEach
	void close() {
		this.engines.forEach(ReplicatedMemcached::close);
		this.nodes.forEach(MemcachedNode::close);
	}

	private List<String> start(MemcachedOptions... options) {
		List<String> addresses = new ArrayList<>();
		for (MemcachedOptions option : options) {
			MemcachedNode node = MemcachedNode.start(option);
			this.nodes.add(node);
			addresses.add(node.address());
		}
		return addresses;
	}

	private ReplicatedMemcached engine(List<String> servers, NodeCredentials credentials) {
		ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(servers)
			.credentials(credentials)
			.operationTimeout(Duration.ofSeconds(1))
			.probeInterval(Duration.ofMillis(50))
			.reconnectInterval(Duration.ofMillis(100))
			.reconnectGrace(Duration.ofMillis(300))
			.build();
		this.engines.add(engine);
		return engine;
	}

	@Test
	void withTheRightCredentialsEveryReplicaStoresAndServes() {
		List<String> servers = start(APP, APP, APP);
		ReplicatedMemcached engine = engine(servers, new NodeCredentials("app", "right-password"));
		engine.set("k", "v".getBytes(StandardCharsets.UTF_8), Duration.ZERO);
		assertThat(engine.get("k")).asString(StandardCharsets.UTF_8).isEqualTo("v");
		await().untilAsserted(() -> this.nodes.forEach((node) -> assertThat(node.rawGet("k")).isNotNull()));
	}

	@Test
	void aWrongPasswordStopsTheEngineFromStartingWithTheNodeAndUserInTheMessage() {
		List<String> servers = start(APP, APP, APP);
		assertThatExceptionOfType(NodeAuthenticationException.class)
			.isThrownBy(() -> engine(servers, new NodeCredentials("app", "wrong-password")))
			.withMessageContaining(servers.get(0))
			.withMessageContaining("user 'app'")
			.withMessageNotContaining("wrong-password");
	}

	@Test
	void aNodeThatRefusesTheCredentialsAfterStartupIsDownWithTheReasonAndTheOthersServe() {
		List<String> servers = start(MemcachedOptions.defaults().withCredentials("app", "another-password"), APP, APP);
		MemcachedNode refusing = this.nodes.get(0);
		// Unreachable at startup, so the engine starts; it refuses once it is back.
		refusing.kill();
		ReplicatedMemcached engine = engine(servers, new NodeCredentials("app", "right-password"));
		refusing.restartEmpty();
		NodeAddress address = NodeAddress.parse(refusing.address());
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			engine.set("k", "v".getBytes(StandardCharsets.UTF_8), Duration.ZERO);
			NodeStatus status = status(engine, address);
			assertThat(status.state()).isEqualTo(NodeState.DOWN);
			assertThat(status.downReason()).contains("rejected the credentials of user 'app'")
				.doesNotContain("right-password");
		});
		assertThat(engine.get("k")).asString(StandardCharsets.UTF_8).isEqualTo("v");
		assertThat(refusing.rawGet("k")).as("nothing reached the refusing node").isNull();
	}

	@Test
	void withoutCredentialsANodeThatRequiresThemIsDownWithTheReasonNotSilentlyMissing() {
		List<String> servers = start(APP, APP, APP);
		ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(servers)
			.operationTimeout(Duration.ofSeconds(1))
			.probeInterval(Duration.ofMillis(50))
			.build();
		this.engines.add(engine);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			try {
				engine.get("k");
			}
			catch (MemquorumException ex) {
				// Expected once the nodes are down: no replica can answer.
			}
			assertThat(engine.nodeStatus()).allSatisfy((status) -> {
				assertThat(status.state()).isEqualTo(NodeState.DOWN);
				assertThat(status.downReason()).contains("requires authentication");
			});
		});
	}

	private static NodeStatus status(ReplicatedMemcached engine, NodeAddress address) {
		return engine.nodeStatus()
			.stream()
			.filter((status) -> status.address().equals(address))
			.findFirst()
			.orElseThrow();
	}

}
