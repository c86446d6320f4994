package io.memquorum.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.memquorum.autoconfigure.health.MemquorumHealthIndicator;
import io.memquorum.discovery.NodeDiscovery;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAddress;
import io.memquorum.test.DnsmasqServer;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static io.memquorum.autoconfigure.InvalidConfiguration.UNREACHABLE;
import static io.memquorum.autoconfigure.InvalidConfiguration.failsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tests for the {@code memquorum.discovery.*} properties and {@code dns+} and
 * {@code dnssrv+} server entries in {@link MemquorumAutoConfiguration}.
 */
@ExtendWith(OutputCaptureExtension.class)
class MemquorumDiscoveryTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MemquorumAutoConfiguration.class));

	@Test
	void whenServersAreDnsEntriesThenTheEngineStartsWithTheResolvedNodesAndHealthShowsThem() {
		assumeThat(DnsmasqServer.locate()).as(DnsmasqServer.notInstalledMessage()).isNotNull();
		try (DnsmasqServer dns = DnsmasqServer.start()) {
			dns.setAddresses("memcached.test", "127.0.0.41", "127.0.0.42");
			dns.setAddresses("mc-0.mc.test", "127.0.0.43");
			dns.setServices("_memcache._tcp.mc.test", List.of("mc-0.mc.test:1"));
			this.runner
				.withPropertyValues("memquorum.servers=dns+memcached.test:1,dnssrv+_memcache._tcp.mc.test",
						"memquorum.discovery.dns-server=" + dns.address(), "memquorum.replication-factor=3")
				.run((context) -> {
					assertThat(context).hasSingleBean(NodeDiscovery.class);
					ReplicatedMemcached engine = context.getBean(ReplicatedMemcached.class);
					assertThat(engine.placement().nodes()).map(NodeAddress::toString)
						.containsExactlyInAnyOrder("127.0.0.41:1", "127.0.0.42:1", "mc-0.mc.test:1");
					Health health = new MemquorumHealthIndicator(engine, context.getBean(NodeDiscovery.class))
						.health(true);
					@SuppressWarnings("unchecked")
					Map<String, Object> discovery = (Map<String, Object>) health.getDetails().get("discovery");
					assertThat(discovery).containsEntry("removalGraceSeconds", 30L)
						.containsEntry("targetAddresses", Map.of("mc-0.mc.test", "127.0.0.43"));
				});
		}
	}

	@Test
	void whenTheResolvedSetChangesThenTheEngineStartsAChangeOfItsNodes(CapturedOutput output) {
		assumeThat(DnsmasqServer.locate()).as(DnsmasqServer.notInstalledMessage()).isNotNull();
		try (DnsmasqServer dns = DnsmasqServer.start()) {
			dns.setAddresses("memcached.test", "127.0.0.41", "127.0.0.42");
			this.runner
				.withPropertyValues("memquorum.servers=dns+memcached.test:1",
						"memquorum.discovery.dns-server=" + dns.address(), "memquorum.discovery.interval=200ms",
						"memquorum.discovery.timeout=100ms")
				.run((context) -> {
					ReplicatedMemcached engine = context.getBean(ReplicatedMemcached.class);
					MemquorumHealthIndicator health = new MemquorumHealthIndicator(engine,
							context.getBean(NodeDiscovery.class));
					assertThat(membership(health)).containsEntry("phase", "STABLE");
					dns.setAddresses("memcached.test", "127.0.0.41", "127.0.0.42", "127.0.0.43");
					// Nothing listens on these nodes: the change cannot fill the new one,
					// so it
					// stays joint, both placements in force.
					Awaitility.await()
						.atMost(Duration.ofSeconds(10))
						.untilAsserted(() -> assertThat(membership(health)).containsEntry("phase", "REFILLING")
							.containsEntry("previousNodes", List.of("127.0.0.41:1", "127.0.0.42:1"))
							.containsEntry("placements", 2));
					assertThat(discovery(health).get("changes")).asInstanceOf(InstanceOfAssertFactories.LIST)
						.singleElement()
						.asInstanceOf(InstanceOfAssertFactories.MAP)
						.containsEntry("added", List.of("127.0.0.43:1"))
						.containsEntry("removed", List.of())
						.containsKey("at");
					assertThat(engine.placement().nodes()).map(NodeAddress::toString)
						.containsExactly("127.0.0.41:1", "127.0.0.42:1", "127.0.0.43:1");
					assertThat(output).contains("added [127.0.0.43:1]").doesNotContain("needs a restart");
				});
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> membership(MemquorumHealthIndicator health) {
		return (Map<String, Object>) health.health(true).getDetails().get("membership");
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> discovery(MemquorumHealthIndicator health) {
		return (Map<String, Object>) health.health(true).getDetails().get("discovery");
	}

	@Test
	void aDnsEntryThatResolvesToNothingFailsTheStartNamingIt() {
		assumeThat(DnsmasqServer.locate()).as(DnsmasqServer.notInstalledMessage()).isNotNull();
		try (DnsmasqServer dns = DnsmasqServer.start()) {
			this.runner
				.withPropertyValues("memquorum.servers=dns+missing.test:11211",
						"memquorum.discovery.dns-server=" + dns.address())
				.run((context) -> assertThat(context).getFailure()
					.rootCause()
					.hasMessageContaining("dns+missing.test:11211"));
		}
	}

	@Test
	void aSrvEntryWithAPortFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=dnssrv+memcached:11211")
			.run(failsWith("memquorum.servers", "without a port"));
	}

	@Test
	void anUnknownPrefixFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=dnssrvnoa+memcached:11211")
			.run(failsWith("memquorum.servers", "unknown prefix"));
	}

	@Test
	void aMalformedDnsServerFailsAtStartup() {
		this.runner
			.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.discovery.dns-server=127.0.0.1:abc")
			.run(failsWith("memquorum.discovery.dns-server", "not a DNS server"));
	}

	@Test
	void aZeroDiscoveryIntervalFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.discovery.interval=0s")
			.run(failsWith("memquorum.discovery.interval", "It must be positive"));
	}

	@Test
	void aDnsTimeoutLongerThanTheIntervalFailsAtStartup() {
		this.runner
			.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.discovery.interval=1s",
					"memquorum.discovery.timeout=2s")
			.run(failsWith("memquorum.discovery.timeout", "must not be longer than memquorum.discovery.interval"));
	}

	@Test
	void aSettlePeriodShorterThanTwoDiscoveryIntervalsFailsAtStartup() {
		this.runner
			.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.discovery.interval=5s",
					"memquorum.discovery.settle-period=9s")
			.run(failsWith("memquorum.discovery.settle-period", "at least two discovery intervals"));
	}

	@Test
	void aNegativeRemovalGraceFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.discovery.removal-grace=-1s")
			.run(failsWith("memquorum.discovery.removal-grace", "must not be negative"));
	}

}
