package io.memquorum.node;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.MemcachedOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The key listing of a real memcached node started with {@code -Y}: its socket
 * authenticates as every connection must, and a refused login says so, with the node and
 * the user and never the password.
 */
class MetadumpReaderAuthenticationTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(1,
			MemcachedOptions.defaults().withCredentials("lister", "right-password"));

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	@Test
	void theListingOfAnAuthenticatedNodeListsEveryKey() throws Exception {
		MemcachedNode node = memcached.cluster().node(0);
		node.flushAll();
		for (int i = 0; i < 200; i++) {
			node.rawSet("listed:" + i, "value".getBytes(StandardCharsets.UTF_8), 0, 0);
		}
		Set<String> listed = new HashSet<>();
		long count = reader(node, new NodeCredentials("lister", "right-password")).read((key) -> listed.add(key.key()));
		assertThat(count).isEqualTo(200);
		assertThat(listed).hasSize(200).contains("listed:0", "listed:199");
	}

	@Test
	void theListingOfANodeConnectionAuthenticatesWithTheConnectionsCredentials() throws Exception {
		MemcachedNode node = memcached.cluster().node(0);
		node.flushAll();
		node.rawSet("one", "value".getBytes(StandardCharsets.UTF_8), 0, 0);
		try (NodeConnection connection = new NodeConnection(NodeAddress.parse(node.address()), TIMEOUT, TIMEOUT,
				Duration.ofMillis(200), new NodeCredentials("lister", "right-password"))) {
			Set<String> listed = new HashSet<>();
			connection.keyListing(TIMEOUT).read((key) -> listed.add(key.key()));
			assertThat(listed).containsExactly("one");
		}
	}

	@Test
	void aWrongPasswordIsReportedAsARefusedLoginWithTheNodeAndTheUserButNotThePassword() {
		MemcachedNode node = memcached.cluster().node(0);
		assertThatExceptionOfType(MetadumpUnavailableException.class)
			.isThrownBy(() -> reader(node, new NodeCredentials("lister", "wrong-password")).read((key) -> true))
			.satisfies((ex) -> {
				assertThat(ex.isAuthenticationRefused()).isTrue();
				assertThat(ex.isBusy()).isFalse();
				assertThat(ex.getNode()).isEqualTo(NodeAddress.parse(node.address()));
			})
			.withMessageContaining(node.address())
			.withMessageContaining("rejected the credentials of user 'lister'")
			.withMessageNotContaining("wrong-password");
	}

	@Test
	void withoutCredentialsTheListingSaysTheNodeRequiresAuthentication() {
		MemcachedNode node = memcached.cluster().node(0);
		assertThatExceptionOfType(MetadumpUnavailableException.class)
			.isThrownBy(() -> new MetadumpReader(NodeAddress.parse(node.address()), TIMEOUT).read((key) -> true))
			.satisfies((ex) -> assertThat(ex.isAuthenticationRefused()).isTrue())
			.withMessageContaining("requires authentication");
	}

	private static MetadumpReader reader(MemcachedNode node, NodeCredentials credentials) {
		return new MetadumpReader(NodeAddress.parse(node.address()), TIMEOUT, credentials);
	}

}
