package io.memquorum.autoconfigure;

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

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	ReplicatedMemcached memquorumEngine(MemquorumProperties properties,
			ObjectProvider<ReplicatedMemcachedBuilderCustomizer> customizers, ObjectProvider<EngineMetrics> metrics) {
		ReplicatedMemcached.Builder builder = ReplicatedMemcached.builder();
		new PropertiesReplicatedMemcachedBuilderCustomizer(properties).customize(builder);
		metrics.ifAvailable(builder::metrics);
		customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		return builder.build();
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

	}

}
