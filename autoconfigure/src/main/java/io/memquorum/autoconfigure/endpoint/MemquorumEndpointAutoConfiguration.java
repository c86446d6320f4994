package io.memquorum.autoconfigure.endpoint;

import io.memquorum.autoconfigure.MemquorumAutoConfiguration;
import io.memquorum.autoconfigure.session.MemquorumSessionAutoConfiguration;
import io.memquorum.engine.ReplicatedMemcached;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code memquorum} actuator endpoint
 * ({@link MemquorumEndpoint}). Present when the actuator is, available only when exposed
 * ({@code management.endpoints.web.exposure.include=memquorum}), and backing off for an
 * application's own {@link MemquorumEndpoint} bean.
 */
@AutoConfiguration(after = { MemquorumAutoConfiguration.class, MemquorumSessionAutoConfiguration.class },
		afterName = "io.memquorum.autoconfigure.cache.MemquorumCacheAutoConfiguration")
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class, ReplicatedMemcached.class })
@ConditionalOnBean(ReplicatedMemcached.class)
public final class MemquorumEndpointAutoConfiguration {

	// On the method, not the class: its condition class is loaded only once the class
	// conditions found the actuator.
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	MemquorumEndpoint memquorumEndpoint(ReplicatedMemcached engine, BeanFactory beans) {
		return new MemquorumEndpoint(engine, beans);
	}

}
