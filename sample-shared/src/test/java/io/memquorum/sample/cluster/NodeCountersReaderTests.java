package io.memquorum.sample.cluster;

import java.time.Duration;

import io.memquorum.node.NodeAddress;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.MemcachedOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster panel's own {@code stats} connection to a real memcached started with
 * {@code -Y}: it logs in with the application's credentials.
 */
class NodeCountersReaderTests {

	private static MemcachedNode node;

	@BeforeAll
	static void start() {
		node = MemcachedNode.start(MemcachedOptions.defaults().withCredentials("shop", "s3cret-pass"));
	}

	@AfterAll
	static void stop() {
		node.close();
	}

	@Test
	void withTheApplicationsCredentialsTheCountersOfAnAuthenticatedNodeAreRead() {
		NodeCountersReader reader = new NodeCountersReader(Duration.ofSeconds(2), "shop", "s3cret-pass");
		assertThat(reader.read(NodeAddress.parse(node.address()))).isPresent();
	}

	@Test
	void withoutCredentialsOrWithAWrongPasswordThereAreNoCounters() {
		NodeAddress address = NodeAddress.parse(node.address());
		assertThat(new NodeCountersReader(Duration.ofSeconds(2)).read(address)).isEmpty();
		assertThat(new NodeCountersReader(Duration.ofSeconds(2), "shop", "wrong-pass").read(address)).isEmpty();
	}

}
