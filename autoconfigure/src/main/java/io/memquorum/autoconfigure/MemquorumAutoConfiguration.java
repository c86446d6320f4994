package io.memquorum.autoconfigure;

import io.memquorum.discovery.DiscoveryMeterBinder;
import io.memquorum.discovery.NodeDiscovery;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.metrics.EngineMetrics;
import io.memquorum.metrics.MicrometerEngineMetrics;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of the {@link ReplicatedMemcached} engine, when
 * {@code memquorum.servers} is set. The cache and the session store share it.
 */
@AutoConfiguration(afterName = {
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(ReplicatedMemcached.class)
@ConditionalOnMemquorumServers
@EnableConfigurationProperties(MemquorumProperties.class)
public final class MemquorumAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(MemquorumConnectionDetails.class)
	PropertiesMemquorumConnectionDetails memquorumConnectionDetails(MemquorumProperties properties) {
		return new PropertiesMemquorumConnectionDetails(properties);
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	NodeDiscovery memquorumDiscovery(MemquorumConnectionDetails connectionDetails, MemquorumProperties properties) {
		NodeDiscovery discovery = MemquorumDiscoveryFactory.create(connectionDetails, properties.getDiscovery());
		discovery.start();
		return discovery;
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	ReplicatedMemcached memquorumEngine(MemquorumProperties properties, MemquorumConnectionDetails connectionDetails,
			NodeDiscovery discovery, ObjectProvider<ReplicatedMemcachedBuilderCustomizer> customizers,
			ObjectProvider<EngineMetrics> metrics) {
		ReplicatedMemcached.Builder builder = ReplicatedMemcached.builder();
		new PropertiesReplicatedMemcachedBuilderCustomizer(properties, connectionDetails, discovery).customize(builder);
		metrics.ifAvailable(builder::metrics);
		customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		ReplicatedMemcached engine = builder.build();
		MemquorumDiscoveryFactory.applyChanges(discovery, engine);
		return engine;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	@ConditionalOnBean(MeterRegistry.class)
	static class EngineMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		EngineMetrics memquorumEngineMetrics(MeterRegistry registry) {
			return new MicrometerEngineMetrics(registry);
		}

		@Bean
		@ConditionalOnMissingBean
		DiscoveryMeterBinder memquorumDiscoveryMeterBinder(NodeDiscovery discovery) {
			return new DiscoveryMeterBinder(discovery);
		}

	}

}
