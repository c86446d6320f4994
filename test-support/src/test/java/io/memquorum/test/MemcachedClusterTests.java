package io.memquorum.test;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link MemcachedCluster} against real memcached processes.
 */
class MemcachedClusterTests {

	private static MemcachedCluster cluster;

	@BeforeAll
	static void startCluster() {
		cluster = MemcachedCluster.start(3);
	}

	@AfterAll
	static void closeCluster() {
		cluster.close();
	}

	@Test
	void addressesAndServersListEveryNodeInOrder() {
		assertThat(cluster.size()).isEqualTo(3);
		assertThat(cluster.nodes()).hasSize(3);
		assertThat(cluster.addresses()).containsExactly(cluster.node(0).address(), cluster.node(1).address(),
				cluster.node(2).address());
		assertThat(cluster.addresses()).allMatch((address) -> address.matches("127\\.0\\.0\\.1:\\d+"));
		assertThat(cluster.servers()).isEqualTo(String.join(",", cluster.addresses()));
		assertThat(cluster.servers()).matches("127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+");
		assertThat(cluster.nodes()).extracting(MemcachedNode::port).doesNotHaveDuplicates();
	}

	@Test
	void nodeIndexesOutsideTheClusterAreRejected() {
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> cluster.node(3))
			.withMessageContaining("3 nodes");
	}

	@Test
	void healRestartsKilledNodesAndResumesPausedOnes() {
		MemcachedNode killed = cluster.node(0);
		MemcachedNode paused = cluster.node(1);
		int killedPort = killed.port();
		long pausedPid = paused.pid();
		paused.rawSet("kept", bytes("value"), 0, 0);
		killed.kill();
		paused.pause();
		cluster.heal();
		assertThat(cluster.nodes()).allMatch(MemcachedNode::isRunning).noneMatch(MemcachedNode::isPaused);
		assertThat(killed.port()).isEqualTo(killedPort);
		assertThat(paused.pid()).isEqualTo(pausedPid);
		assertThat(paused.rawGet("kept")).isEqualTo(bytes("value"));
	}

	@Test
	void flushAllEmptiesEveryNode() {
		for (MemcachedNode node : cluster.nodes()) {
			node.rawSet("key", bytes("value"), 0, 0);
		}
		cluster.flushAll();
		assertThat(cluster.nodes()).allSatisfy((node) -> {
			assertThat(node.rawGet("key")).isNull();
			assertThat(node.currentItems()).isZero();
		});
	}

	@Test
	void flushAllSkipsNodesThatCannotAnswer() {
		cluster.node(2).kill();
		cluster.node(1).pause();
		try {
			cluster.node(0).rawSet("key", bytes("value"), 0, 0);
			cluster.flushAll();
			assertThat(cluster.node(0).rawGet("key")).isNull();
		}
		finally {
			cluster.heal();
		}
	}

	@Test
	void closeKillsEveryNode() {
		MemcachedCluster own = MemcachedCluster.start(2);
		own.close();
		assertThat(own.nodes()).noneMatch(MemcachedNode::isRunning);
		own.close();
	}

	@Test
	void aClusterNeedsAtLeastOneNode() {
		assertThatIllegalArgumentException().isThrownBy(() -> MemcachedCluster.start(0));
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
