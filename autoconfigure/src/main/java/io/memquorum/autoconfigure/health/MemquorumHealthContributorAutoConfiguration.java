package io.memquorum.autoconfigure.health;

import io.memquorum.autoconfigure.MemquorumAutoConfiguration;
import io.memquorum.discovery.NodeDiscovery;
import io.memquorum.engine.ReplicatedMemcached;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code memquorum} health contributor. Turn it off with
 * {@code management.health.memquorum.enabled=false}.
 */
@AutoConfiguration(after = MemquorumAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ReplicatedMemcached.class })
@ConditionalOnBean(ReplicatedMemcached.class)
@ConditionalOnEnabledHealthIndicator("memquorum")
public final class MemquorumHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "memquorumHealthIndicator")
	MemquorumHealthIndicator memquorumHealthIndicator(ReplicatedMemcached engine,
			ObjectProvider<NodeDiscovery> discovery) {
		return new MemquorumHealthIndicator(engine, discovery.getIfAvailable());
	}

}
