package io.memquorum.node;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.memquorum.node.NodeConnection.StoredValue;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.MemcachedOptions;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Connections to a real memcached started with {@code -Y} (an auth file with user
 * {@code app}).
 */
class NodeConnectionAuthenticationTests {

	private static MemcachedNode node;

	private @Nullable NodeConnection connection;

	@BeforeAll
	static void startNode() {
		node = MemcachedNode.start(MemcachedOptions.defaults().withCredentials("app", "right-password"));
	}

	@AfterAll
	static void stopNode() {
		node.close();
	}

	@AfterEach
	void close() {
		if (this.connection != null) {
			this.connection.close();
		}
	}

	private NodeConnection connect(@Nullable NodeCredentials credentials) throws Exception {
		this.connection = new NodeConnection(NodeAddress.parse(node.address()), Duration.ofSeconds(1),
				Duration.ofSeconds(2), Duration.ofMillis(200), credentials);
		return this.connection;
	}

	@Test
	void theRightCredentialsAreSentFirstAndCommandsWork() throws Exception {
		NodeConnection connection = connect(new NodeCredentials("app", "right-password"));
		assertThat(connection.set("k", 0, new StoredValue(3, bytes("v"))).get(2, TimeUnit.SECONDS)).isTrue();
		StoredItem item = connection.gets("k").get(2, TimeUnit.SECONDS);
		assertThat(item).isNotNull();
		assertThat(new String(item.data(), StandardCharsets.UTF_8)).isEqualTo("v");
		assertThat(node.rawGet("memquorum-auth")).as("the authenticating set stores nothing").isNull();
	}

	@Test
	void afterTheNodeRestartsEmptyTheReconnectedConnectionAuthenticatesAgain() throws Exception {
		NodeConnection connection = connect(new NodeCredentials("app", "right-password"));
		assertThat(connection.set("before", 0, new StoredValue(0, bytes("x"))).get(2, TimeUnit.SECONDS)).isTrue();
		node.restartEmpty();
		await().atMost(Duration.ofSeconds(10))
			.ignoreExceptions()
			.untilAsserted(() -> assertThat(
					connection.set("after", 0, new StoredValue(0, bytes("y"))).get(2, TimeUnit.SECONDS))
				.isTrue());
		assertThat(node.rawGet("after")).isNotNull();
	}

	@Test
	void aWrongPasswordFailsAtStartupNamingTheNodeAndUserButNotThePassword() {
		assertThatExceptionOfType(NodeAuthenticationException.class)
			.isThrownBy(() -> connect(new NodeCredentials("app", "wrong-password")))
			.satisfies((failure) -> {
				assertThat(failure.getMessage()).contains(node.address())
					.contains("user 'app'")
					.contains("authentication failure")
					.contains("memquorum.password")
					.doesNotContain("wrong-password");
				assertThat(failure.getNode()).isEqualTo(NodeAddress.parse(node.address()));
			});
	}

	@Test
	void withoutCredentialsEveryCommandFailsAsAnUnreachableNodeThatRequiresAuthentication() throws Exception {
		NodeConnection connection = connect(null);
		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> connection.gets("k").get(2, TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOfSatisfying(NodeOperationException.class, (failure) -> {
				assertThat(failure.isUnreachable()).isTrue();
				assertThat(failure.getMessage()).contains("requires authentication").contains("memquorum.username");
			});
	}

	@Test
	void credentialsThatCannotBeSentOnOneLineAreRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> new NodeCredentials("a b", "x"))
			.withMessageContaining("username");
		assertThatIllegalArgumentException().isThrownBy(() -> new NodeCredentials("a", "x\r\ny"))
			.withMessageContaining("password");
		assertThat(new NodeCredentials("app", "secret-value"))
			.hasToString("NodeCredentials[username=app, password=(hidden)]");
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
