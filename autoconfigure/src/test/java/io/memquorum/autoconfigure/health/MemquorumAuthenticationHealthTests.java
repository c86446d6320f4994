package io.memquorum.autoconfigure.health;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.memquorum.autoconfigure.MemquorumAutoConfiguration;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAuthenticationException;
import io.memquorum.test.MemcachedCluster;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.MemcachedOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The memquorum.username and memquorum.password properties against three real memcached
 * nodes that require them ({@code -Y} auth file).
 */
class MemquorumAuthenticationHealthTests {

	private static MemcachedCluster cluster;

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(MemquorumAutoConfiguration.class, MemquorumHealthContributorAutoConfiguration.class));

	@BeforeAll
	static void start() {
		cluster = MemcachedCluster.start(3, MemcachedOptions.defaults().withCredentials("shop", "s3cret-pass"));
	}

	@AfterAll
	static void stop() {
		cluster.close();
	}

	@Test
	void withTheRightCredentialsTheEngineStoresAndHealthIsUp() {
		this.runner
			.withPropertyValues("memquorum.servers=" + cluster.servers(), "memquorum.username=shop",
					"memquorum.password=s3cret-pass")
			.run((context) -> {
				ReplicatedMemcached engine = context.getBean(ReplicatedMemcached.class);
				engine.set("k", "v".getBytes(StandardCharsets.UTF_8), Duration.ZERO);
				assertThat(engine.get("k")).asString(StandardCharsets.UTF_8).isEqualTo("v");
				assertThat(context.getBean(MemquorumHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
			});
	}

	@Test
	void aWrongPasswordFailsStartupWithTheNodeAndUser() {
		this.runner
			.withPropertyValues("memquorum.servers=" + cluster.servers(), "memquorum.username=shop",
					"memquorum.password=wrong-pass")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(NodeAuthenticationException.class)
				.hasMessageContaining("rejected the credentials of user 'shop'")
				.hasMessageNotContaining("wrong-pass"));
	}

	@Test
	void withoutCredentialsHealthIsDownAndEachNodeSaysItRequiresAuthentication() {
		this.runner
			.withPropertyValues("memquorum.servers=" + cluster.servers(), "memquorum.probe-interval=50ms",
					"memquorum.failure-threshold=1")
			.run((context) -> {
				ReplicatedMemcached engine = context.getBean(ReplicatedMemcached.class);
				MemquorumHealthIndicator indicator = context.getBean(MemquorumHealthIndicator.class);
				await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
					try {
						engine.get("k");
					}
					catch (RuntimeException ex) {
						// No replica can answer once the nodes are down.
					}
					Health health = indicator.health();
					assertThat(health.getStatus()).isEqualTo(Status.DOWN);
					assertThat(nodes(health).values())
						.allSatisfy((node) -> assertThat(node).containsEntry("state", "DOWN")
							.hasEntrySatisfying("reason",
									(reason) -> assertThat((String) reason).contains("requires authentication")));
				});
			});
	}

	@Test
	void aNodeThatRefusesTheLoginAfterStartupIsDownInHealthWithTheUserAndNotThePassword() {
		MemcachedNode refusing = MemcachedNode.start(MemcachedOptions.defaults().withCredentials("shop", "other-pass"));
		try {
			// Unreachable at startup, so the application starts; it refuses once it is
			// back.
			refusing.kill();
			String servers = cluster.addresses().get(0) + "," + cluster.addresses().get(1) + "," + refusing.address();
			this.runner
				.withPropertyValues("memquorum.servers=" + servers, "memquorum.username=shop",
						"memquorum.password=s3cret-pass", "memquorum.probe-interval=50ms",
						"memquorum.reconnect-interval=100ms", "memquorum.reconnect-grace=300ms",
						"memquorum.failure-threshold=1")
				.run((context) -> {
					ReplicatedMemcached engine = context.getBean(ReplicatedMemcached.class);
					MemquorumHealthIndicator indicator = context.getBean(MemquorumHealthIndicator.class);
					refusing.restartEmpty();
					await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
						try {
							engine.set("k", "v".getBytes(StandardCharsets.UTF_8), Duration.ZERO);
						}
						catch (RuntimeException ex) {
							// The refusing node may fail a write before it is marked
							// down.
						}
						assertThat(nodes(indicator.health()).get(refusing.address())).containsEntry("state", "DOWN")
							.hasEntrySatisfying("reason",
									(reason) -> assertThat((String) reason)
										.contains("rejected the credentials of user 'shop'")
										.doesNotContain("s3cret-pass"));
					});
				});
		}
		finally {
			refusing.close();
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Map<String, Object>> nodes(Health health) {
		return (Map<String, Map<String, Object>>) health.getDetails().get("nodes");
	}

}
