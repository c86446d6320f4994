package io.memquorum.autoconfigure.health;

import java.util.Map;

import io.memquorum.autoconfigure.MemquorumAutoConfiguration;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.memquorum.autoconfigure.InvalidConfiguration.UNREACHABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class MemquorumHealthContributorAutoConfigurationTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(MemquorumAutoConfiguration.class, MemquorumHealthContributorAutoConfiguration.class));

	@Test
	void whenTheEngineExistsThenTheMemquorumContributorIsRegistered() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE)
			.run((context) -> assertThat(context).hasSingleBean(MemquorumHealthIndicator.class)
				.hasBean("memquorumHealthIndicator"));
	}

	@Test
	void whenThereIsNoEngineThenNoContributorIsRegistered() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(MemquorumHealthIndicator.class));
	}

	@Test
	void whenTheIndicatorIsDisabledThenNoContributorIsRegistered() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "management.health.memquorum.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(MemquorumHealthIndicator.class));
	}

	@Test
	void healthIsUpWithEveryNodesStateUptimeAndVersionAndDownWhenTwoOfThreeNodesAreKilled() {
		this.runner
			.withPropertyValues("memquorum.servers=" + memcached.cluster().servers(),
					"memquorum.operation-timeout=200ms", "memquorum.probe-interval=50ms",
					"memquorum.max-probe-interval=400ms", "memquorum.restart-check-interval=300ms",
					"memquorum.reconnect-interval=200ms", "memquorum.failure-threshold=1")
			.run((context) -> {
				MemquorumHealthIndicator indicator = context.getBean(MemquorumHealthIndicator.class);
				await().until(() -> nodes(indicator.health()).values()
					.stream()
					.allMatch((node) -> node.containsKey("version")));
				Health health = indicator.health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				Map<String, Map<String, Object>> nodes = nodes(health);
				assertThat(nodes).hasSize(3);
				assertThat(nodes.values()).allSatisfy((node) -> {
					assertThat(node).containsEntry("state", "UP");
					assertThat((Long) node.get("uptimeSeconds")).isNotNegative();
					assertThat((String) node.get("version")).matches("\\d+\\.\\d+.*");
				});
				memcached.cluster().node(0).kill();
				memcached.cluster().node(1).kill();
				await().until(() -> indicator.health().getStatus().equals(Status.DOWN));
				assertThat(nodes(indicator.health()).get(memcached.cluster().node(0).address())).containsEntry("state",
						"DOWN");
			});
	}

	@Test
	@SuppressWarnings("unchecked")
	void healthShowsEveryNodesRefillAndWhenANodeRestartedEmptyWasRefilledAgain() {
		this.runner
			.withPropertyValues("memquorum.servers=" + memcached.cluster().servers(),
					"memquorum.operation-timeout=500ms", "memquorum.restart-check-interval=300ms",
					"memquorum.reconnect-interval=200ms", "memquorum.refill.check-interval=300ms")
			.run((context) -> {
				MemquorumHealthIndicator indicator = context.getBean(MemquorumHealthIndicator.class);
				await().untilAsserted(() -> assertThat(nodes(indicator.health()).values()).allSatisfy((node) -> {
					Map<String, Object> refill = (Map<String, Object>) node.get("refill");
					assertThat(refill).containsEntry("phase", "COMPLETE")
						.containsEntry("refilling", false)
						.containsKey("completedAt");
				}));
				String address = memcached.cluster().node(1).address();
				String before = (String) ((Map<String, Object>) nodes(indicator.health()).get(address).get("refill"))
					.get("completedAt");
				memcached.cluster().node(1).restartEmpty();
				await().untilAsserted(() -> {
					Map<String, Object> refill = (Map<String, Object>) nodes(indicator.health()).get(address)
						.get("refill");
					assertThat(refill).containsEntry("phase", "COMPLETE");
					assertThat((String) refill.get("completedAt")).isNotEqualTo(before);
				});
			});
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Map<String, Object>> nodes(Health health) {
		return (Map<String, Map<String, Object>>) health.getDetails().get("nodes");
	}

}
