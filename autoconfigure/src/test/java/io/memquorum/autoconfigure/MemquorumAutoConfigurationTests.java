package io.memquorum.autoconfigure;

import java.time.Duration;

import java.util.List;

import io.memquorum.engine.ReadConsistency;
import io.memquorum.refill.RefillStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.WriteQuorum;
import io.memquorum.metrics.EngineMetrics;
import io.memquorum.metrics.MicrometerEngineMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.memquorum.autoconfigure.InvalidConfiguration.UNREACHABLE;
import static io.memquorum.autoconfigure.InvalidConfiguration.failsWith;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MemquorumAutoConfiguration}. No memcached runs here: the engine starts
 * with its nodes unreachable, which is not an error.
 */
@ExtendWith(OutputCaptureExtension.class)
class MemquorumAutoConfigurationTests {

	private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MemquorumAutoConfiguration.class));

	@Test
	void whenServersAreNotSetThenNoEngineIsCreated() {
		this.runner.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ReplicatedMemcached.class));
	}

	@Test
	void whenServersAreSetThenTheEngineIsCreatedWithTheProperties() {
		this.runner
			.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.replication-factor=2",
					"memquorum.write-quorum=all", "memquorum.read-consistency=majority",
					"memquorum.operation-timeout=100ms", "memquorum.max-item-size=2MB")
			.run((context) -> {
				ReplicatedMemcached engine = context.getBean(ReplicatedMemcached.class);
				assertThat(engine.placement().nodes()).hasSize(3);
				assertThat(engine.placement().replicationFactor()).isEqualTo(2);
				assertThat(engine.writeQuorum()).isEqualTo(WriteQuorum.ALL);
				assertThat(engine.readConsistency()).isEqualTo(ReadConsistency.MAJORITY);
				assertThat(engine.maxItemSize()).isEqualTo(2 * 1024 * 1024);
			});
	}

	@Test
	void whenSigningKeysAreSetThenTheEngineSignsEntriesAndNoWarningIsLogged(CapturedOutput output) {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.signing.keys=" + KEY + "," + KEY)
			.run((context) -> {
				assertThat(context.getBean(ReplicatedMemcached.class).signsEntries()).isTrue();
				assertThat(output).doesNotContain("memquorum.signing.keys is not set");
			});
	}

	@Test
	void whenNoSigningKeysAreSetThenOneWarningSaysWhatIsExposedAndWhichPropertyFixesIt(CapturedOutput output) {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE).run((context) -> {
			assertThat(context.getBean(ReplicatedMemcached.class).signsEntries()).isFalse();
			assertThat(output).containsOnlyOnce("memquorum.signing.keys is not set")
				.contains("can read every cached value and session, session ids included")
				.contains("can write entries this application trusts")
				.contains("Set memquorum.signing.keys to a base64 secret of at least 32 bytes");
		});
	}

	@Test
	void whenASigningKeyIsTooShortThenStartupFailsWithoutShowingIt(CapturedOutput output) {
		String shortKey = "c2hvcnQta2V5";
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.signing.keys=" + shortKey)
			.run(failsWith("memquorum.signing.keys", "Signing key [0] has 9 bytes; at least 32 are needed")
				.andThen((context) -> assertThat(context.getStartupFailure().getMessage()).doesNotContain(shortKey)));
	}

	@Test
	void whenOnlyAUsernameIsSetThenStartupFailsNamingThePassword() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.username=app")
			.run(failsWith("memquorum.password", "memquorum.username is set, so memquorum.password must be set too"));
	}

	@Test
	void whenThePasswordHoldsASpaceThenStartupFailsWithoutShowingIt() {
		this.runner
			.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.username=app",
					"memquorum.password=two words")
			.run(failsWith("memquorum.password", "no spaces").andThen(
					(context) -> assertThat(context.getStartupFailure().getMessage()).doesNotContain("two words")));
	}

	@Test
	void whenServersAreAYamlStyleListThenTheEngineIsCreated() {
		this.runner.withPropertyValues("memquorum.servers[0]=127.0.0.1:1", "memquorum.servers[1]=127.0.0.1:2")
			.run((context) -> assertThat(context.getBean(ReplicatedMemcached.class).placement().nodes()).hasSize(2));
	}

	@Test
	void whenReplicationFactorIsUnsetThenEveryNodeHoldsEveryKey() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE)
			.run((context) -> assertThat(context.getBean(ReplicatedMemcached.class).placement().replicationFactor())
				.isEqualTo(3));
	}

	@Test
	void whenUserDefinesAnEngineThenAutoConfigurationBacksOff() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE)
			.withUserConfiguration(UserEngineConfiguration.class)
			.run((context) -> assertThat(context).getBean(ReplicatedMemcached.class)
				.isSameAs(context.getBean("userEngine")));
	}

	@Test
	void engineCustomizersRunAfterThePropertiesAndCanOverrideThem() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.write-quorum=one")
			.withBean(ReplicatedMemcachedBuilderCustomizer.class,
					() -> (builder) -> builder.writeQuorum(WriteQuorum.ALL))
			.run((context) -> assertThat(context.getBean(ReplicatedMemcached.class).writeQuorum())
				.isEqualTo(WriteQuorum.ALL));
	}

	@Test
	void whenAMeterRegistryExistsThenTheEngineRecordsToMicrometer() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE)
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.run((context) -> {
				assertThat(context).getBean(EngineMetrics.class).isInstanceOf(MicrometerEngineMetrics.class);
				assertThat(context.getBean(MeterRegistry.class).find("memquorum.node.state").gauges()).hasSize(3);
			});
	}

	@Test
	void whenNoMeterRegistryExistsThenNoEngineMetricsAreCreated() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE)
			.run((context) -> assertThat(context).hasSingleBean(ReplicatedMemcached.class)
				.doesNotHaveBean(EngineMetrics.class));
	}

	@Test
	void anEmptyServerListFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=")
			.run(failsWith("memquorum.servers", "At least one memcached node is required"));
	}

	@Test
	void aServerWithoutAPortFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=127.0.0.1:11211,cache-2")
			.run(failsWith("memquorum.servers", "'cache-2' is not a memcached node address: expected host:port"));
	}

	@Test
	void aServerWithANonNumericPortFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=cache-1:abc")
			.run(failsWith("memquorum.servers", "the port must be a number"));
	}

	@Test
	void aServerWithAPortOutOfRangeFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=cache-1:70000")
			.run(failsWith("memquorum.servers", "Port must be between 1 and 65535, got 70000"));
	}

	@Test
	void aServerListedTwiceFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=127.0.0.1:1,127.0.0.1:1")
			.run(failsWith("memquorum.servers", "'127.0.0.1:1' is listed twice"));
	}

	@Test
	void aReplicationFactorAboveTheNodeCountFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.replication-factor=4")
			.run(failsWith("memquorum.replication-factor",
					"The replication factor must be between 1 and the number of servers (3)"));
	}

	@Test
	void aKeyPrefixWithASpaceFailsAtStartupNamingTheProperty() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.key-prefix=my app:")
			.run(failsWith("memquorum.key-prefix", "must be printable ASCII without spaces"));
	}

	@Test
	void aKeyPrefixLongerThanAHundredCharactersFailsAtStartupNamingTheProperty() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.key-prefix=" + "p".repeat(101))
			.run(failsWith("memquorum.key-prefix", "at most 100 characters"));
	}

	@Test
	void anEmptyDnsCacheTtlKeepsFiveSeconds() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.dns-cache-ttl=")
			.run((context) -> assertThat(context.getBean(MemquorumProperties.class).getDnsCacheTtl())
				.isEqualTo(Duration.ofSeconds(5)));
	}

	@Test
	void aReplicationFactorOfZeroFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.replication-factor=0")
			.run(failsWith("memquorum.replication-factor", "between 1 and the number of servers"));
	}

	@Test
	void aNegativeOperationTimeoutFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.operation-timeout=-1s")
			.run(failsWith("memquorum.operation-timeout", "It must be positive"));
	}

	@Test
	void aZeroConnectTimeoutFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.connect-timeout=0")
			.run(failsWith("memquorum.connect-timeout", "It must be positive"));
	}

	@Test
	void aZeroTombstoneTtlFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.tombstone-ttl=0s")
			.run(failsWith("memquorum.tombstone-ttl", "It must be positive"));
	}

	@Test
	void aMaxProbeIntervalShorterThanTheProbeIntervalFailsAtStartup() {
		this.runner
			.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.probe-interval=1s",
					"memquorum.max-probe-interval=500ms")
			.run(failsWith("memquorum.max-probe-interval", "must not be shorter than memquorum.probe-interval"));
	}

	@Test
	void aFailureThresholdOfZeroFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.failure-threshold=0")
			.run(failsWith("memquorum.failure-threshold", "It must be at least 1"));
	}

	@Test
	void aHintCapacityOfZeroFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.hint-capacity=0")
			.run(failsWith("memquorum.hint-capacity", "It must be at least 1"));
	}

	@Test
	void aMaxItemSizeBelowOneKilobyteFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.max-item-size=100B")
			.run(failsWith("memquorum.max-item-size", "It must be between 1KB and 2GB"));
	}

	@Test
	void whenRefillIsDisabledThenEveryNodeReportsRefillDisabled() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.refill.enabled=false")
			.run((context) -> assertThat(context.getBean(ReplicatedMemcached.class).refillStatus()).hasSize(3)
				.allSatisfy((status) -> assertThat(status.phase()).isEqualTo(RefillStatus.Phase.DISABLED)));
	}

	@Test
	void refillLatencyFactorOfOneOrLessFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.refill.latency-factor=1")
			.run(failsWith("memquorum.refill.latency-factor", "It must be more than 1"));
	}

	@Test
	void refillIsOnByDefault() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE)
			.run((context) -> assertThat(context.getBean(ReplicatedMemcached.class).refillStatus())
				.allSatisfy((status) -> assertThat(status.phase()).isNotEqualTo(RefillStatus.Phase.DISABLED)));
	}

	@Test
	void aRefillRateOfZeroEntriesPerSecondFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.refill.entries-per-second=0")
			.run(failsWith("memquorum.refill.entries-per-second", "It must be at least 1"));
	}

	@Test
	void aRefillRateOfZeroBytesPerSecondFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.refill.bytes-per-second=0B")
			.run(failsWith("memquorum.refill.bytes-per-second", "It must be at least 1B"));
	}

	@Test
	void aRefillLeaseTtlBelowTwoSecondsFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.refill.lease-ttl=1s")
			.run(failsWith("memquorum.refill.lease-ttl", "memcached counts lifetimes in whole seconds"));
	}

	@Test
	void aRefillHeapLimitBelowOneMegabyteFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.refill.heap-limit=512KB")
			.run(failsWith("memquorum.refill.heap-limit", "It must be at least 1MB"));
	}

	@Test
	void aZeroRefillCheckIntervalFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.refill.check-interval=0s")
			.run(failsWith("memquorum.refill.check-interval", "It must be positive"));
	}

	@Test
	void aZeroReconnectGraceFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.reconnect-grace=0s")
			.run(failsWith("memquorum.reconnect-grace", "It must be positive"));
	}

	@Test
	void aHintByteBoundBelowOneKilobyteFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.hint-bytes=100B")
			.run(failsWith("memquorum.hint-bytes", "It must be at least 1KB"));
	}

	@Test
	void aDnsCacheTtlBelowOneSecondFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE, "memquorum.dns-cache-ttl=100ms")
			.run(failsWith("memquorum.dns-cache-ttl", "It must be at least one second"));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserEngineConfiguration {

		@Bean(destroyMethod = "close")
		ReplicatedMemcached userEngine() {
			return ReplicatedMemcached.builder().servers(List.of("127.0.0.1:1")).build();
		}

	}

}
