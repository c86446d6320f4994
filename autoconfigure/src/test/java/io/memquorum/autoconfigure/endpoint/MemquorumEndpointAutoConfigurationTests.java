package io.memquorum.autoconfigure.endpoint;

import io.memquorum.autoconfigure.MemquorumAutoConfiguration;
import io.memquorum.engine.ReplicatedMemcached;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.memquorum.autoconfigure.InvalidConfiguration.UNREACHABLE;
import static org.assertj.core.api.Assertions.assertThat;

class MemquorumEndpointAutoConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MemquorumAutoConfiguration.class, EndpointAutoConfiguration.class,
				WebEndpointAutoConfiguration.class, MemquorumEndpointAutoConfiguration.class))
		.withPropertyValues("memquorum.servers=" + UNREACHABLE);

	@Test
	void whenTheEndpointIsNotExposedThenItIsNotCreated() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(MemquorumEndpoint.class));
	}

	@Test
	void whenTheEndpointIsExposedThenItIsCreated() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=memquorum")
			.run((context) -> assertThat(context).hasSingleBean(MemquorumEndpoint.class));
	}

	@Test
	void whenTheEndpointIsExposedButTurnedOffThenItIsNotCreated() {
		this.runner
			.withPropertyValues("management.endpoints.web.exposure.include=memquorum",
					"management.endpoint.memquorum.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(MemquorumEndpoint.class));
	}

	@Test
	void whenThereIsNoEngineThenNoEndpointIsCreated() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class,
					WebEndpointAutoConfiguration.class, MemquorumEndpointAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=memquorum")
			.run((context) -> assertThat(context).doesNotHaveBean(MemquorumEndpoint.class));
	}

	@Test
	void whenTheActuatorIsAbsentThenTheAutoConfigurationBacksOff() {
		new WebApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(MemquorumAutoConfiguration.class, MemquorumEndpointAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
			.withPropertyValues("memquorum.servers=" + UNREACHABLE,
					"management.endpoints.web.exposure.include=memquorum")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(MemquorumEndpoint.class));
	}

	@Test
	void whenTheUserDefinesTheEndpointThenAutoConfigurationBacksOff() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=memquorum")
			.withUserConfiguration(UserEndpoint.class)
			.run((context) -> assertThat(context).hasSingleBean(MemquorumEndpoint.class)
				.hasBean("myMemquorumEndpoint"));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserEndpoint {

		@Bean
		MemquorumEndpoint myMemquorumEndpoint(ReplicatedMemcached engine, BeanFactory beans) {
			return new MemquorumEndpoint(engine, beans);
		}

	}

}
