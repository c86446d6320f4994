package io.memquorum.test;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MemcachedClusterExtension} used the way a test class would use it. The
 * tests run in order because the second one checks what the extension did about the
 * damage the first one left behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemcachedClusterExtensionTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private static int killedPort;

	@Test
	@Order(1)
	void aTestMayKillPauseAndFillNodes() {
		MemcachedCluster cluster = memcached.cluster();
		killedPort = cluster.node(0).port();
		cluster.node(2).rawSet("leftover", "value".getBytes(StandardCharsets.UTF_8), 0, 0);
		cluster.node(0).kill();
		cluster.node(1).pause();
		assertThat(cluster.node(0).isRunning()).isFalse();
		assertThat(cluster.node(1).isPaused()).isTrue();
	}

	@Test
	@Order(2)
	void theNextTestStartsWithRunningEmptyNodesOnTheSamePorts() {
		MemcachedCluster cluster = memcached.cluster();
		assertThat(cluster.nodes()).allMatch(MemcachedNode::isRunning).noneMatch(MemcachedNode::isPaused);
		assertThat(cluster.node(0).port()).isEqualTo(killedPort);
		assertThat(cluster.node(2).rawGet("leftover")).isNull();
		assertThat(cluster.nodes()).allSatisfy((node) -> assertThat(node.currentItems()).isZero());
	}

	@Test
	@Order(3)
	void theClusterCanBeInjectedAsAParameter(MemcachedCluster cluster) {
		assertThat(cluster).isSameAs(memcached.cluster());
		assertThat(cluster.servers()).isEqualTo(String.join(",", cluster.addresses()));
	}

}
