package io.memquorum.autoconfigure.session;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.session.autoconfigure.SessionAutoConfiguration;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebSessionIdResolverAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.session.web.server.session.SpringSessionWebSessionStore;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import org.springframework.web.server.session.DefaultWebSessionManager;
import org.springframework.web.server.session.WebSessionManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WebFlux application with Boot's WebFlux auto-configuration, as every real one has:
 * WebFlux defines an in-memory {@code webSessionManager} unless one is registered first,
 * so memquorum's (Spring Session's) must come first. Before the ordering the context
 * failed to start with a bean definition override on {@code webSessionManager}.
 */
class ReactiveSessionsWithWebFluxAutoConfigurationTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(1);

	private static ReplicatedMemcached engine;

	@BeforeAll
	static void startEngine() {
		engine = ReplicatedMemcached.builder().servers(memcached.cluster().addresses()).build();
	}

	@AfterAll
	static void closeEngine() {
		engine.close();
	}

	@Test
	void theWebSessionManagerKeepsSessionsInMemquorumNotInMemory() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(WebFluxAutoConfiguration.class,
					WebSessionIdResolverAutoConfiguration.class, MemquorumSessionAutoConfiguration.class,
					MemquorumReactiveSessionAutoConfiguration.class, SessionAutoConfiguration.class))
			.withUserConfiguration(ServerPropertiesConfiguration.class)
			.withBean(ReplicatedMemcached.class, () -> engine, (definition) -> definition.setDestroyMethodName(""))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				WebSessionManager manager = context.getBean(WebHttpHandlerBuilder.WEB_SESSION_MANAGER_BEAN_NAME,
						WebSessionManager.class);
				assertThat(manager).isInstanceOf(DefaultWebSessionManager.class);
				assertThat(((DefaultWebSessionManager) manager).getSessionStore())
					.isInstanceOf(SpringSessionWebSessionStore.class);
			});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(ServerProperties.class)
	static class ServerPropertiesConfiguration {

	}

}
