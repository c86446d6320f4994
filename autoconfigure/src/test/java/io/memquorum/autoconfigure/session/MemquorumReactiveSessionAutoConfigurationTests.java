package io.memquorum.autoconfigure.session;

import java.time.Duration;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.session.JsonSessionAttributeSerializer;
import io.memquorum.session.ReactiveReplicatedSessionRepository;
import io.memquorum.session.ReplicatedSessionRepository;
import io.memquorum.session.SessionStoreUnavailableException;
import io.memquorum.test.MemcachedClusterExtension;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.session.autoconfigure.SessionAutoConfiguration;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.session.ReactiveMapSessionRepository;
import org.springframework.session.ReactiveSessionRepository;
import org.springframework.session.SaveMode;
import org.springframework.session.config.ReactiveSessionRepositoryCustomizer;
import org.springframework.web.server.session.WebSessionManager;

import static io.memquorum.autoconfigure.InvalidConfiguration.failsWith;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reactive session auto-configuration, one condition per test.
 */
class MemquorumReactiveSessionAutoConfigurationTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(1);

	private static ReplicatedMemcached engine;

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MemquorumSessionAutoConfiguration.class,
				MemquorumReactiveSessionAutoConfiguration.class, SessionAutoConfiguration.class))
		.withUserConfiguration(ServerPropertiesConfiguration.class)
		.withBean(ReplicatedMemcached.class, () -> engine, (definition) -> definition.setDestroyMethodName(""));

	@BeforeAll
	static void startEngine() {
		engine = ReplicatedMemcached.builder().servers(memcached.cluster().addresses()).build();
	}

	@AfterAll
	static void closeEngine() {
		engine.close();
	}

	@Test
	void inAReactiveApplicationTheReactiveRepositoryBacksSpringSessionsWebSessionManager() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ReactiveReplicatedSessionRepository.class);
			assertThat(context).hasSingleBean(WebSessionManager.class);
			assertThat(context).hasSingleBean(ReactiveSessionStoreUnavailableFilter.class);
			assertThat(context).doesNotHaveBean(ReplicatedSessionRepository.class);
			ReplicatedSessionRepository store = context.getBean(ReactiveReplicatedSessionRepository.class).getStore();
			assertThat(store.getKeyPrefix()).isEqualTo("session:");
			assertThat(store.getDefaultMaxInactiveInterval()).isEqualTo(Duration.ofMinutes(30));
		});
	}

	@Test
	void theSessionMetersReadTheReactiveStoresCounters() {
		this.contextRunner.run((context) -> {
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			context.getBean("memquorumSessionMeterBinder", MeterBinder.class).bindTo(registry);
			assertThat(registry.get("memquorum.session.resurrections.prevented").functionCounter().count()).isZero();
			assertThat(registry.get("memquorum.session.unreadable").functionCounter()).isNotNull();
		});
	}

	@Test
	void theSessionPropertiesApplyAsForTheServletStore() {
		this.contextRunner
			.withPropertyValues("memquorum.session.key-prefix=webflux:", "memquorum.session.save-mode=always",
					"memquorum.session.degrade-when-unreachable=true", "memquorum.session.serializer=json",
					"spring.session.timeout=5m")
			.run((context) -> {
				ReplicatedSessionRepository store = context.getBean(ReactiveReplicatedSessionRepository.class)
					.getStore();
				assertThat(store.getKeyPrefix()).isEqualTo("webflux:");
				assertThat(store.getSaveMode()).isEqualTo(SaveMode.ALWAYS);
				assertThat(store.isDegradeWhenUnreachable()).isTrue();
				assertThat(store.getSerializer()).isInstanceOf(JsonSessionAttributeSerializer.class);
				assertThat(store.getDefaultMaxInactiveInterval()).isEqualTo(Duration.ofMinutes(5));
			});
	}

	@Test
	void aUserCustomizerRunsAfterTheProperties() {
		this.contextRunner.withPropertyValues("memquorum.session.key-prefix=webflux:")
			.withUserConfiguration(CustomizerConfiguration.class)
			.run((context) -> assertThat(
					context.getBean(ReactiveReplicatedSessionRepository.class).getStore().getKeyPrefix())
				.isEqualTo("mine:"));
	}

	@Test
	void backsOffForTheUsersReactiveSessionRepository() {
		this.contextRunner
			.withBean(ReactiveSessionRepository.class,
					() -> new ReactiveMapSessionRepository(new java.util.HashMap<>()))
			.run((context) -> {
				assertThat(context).doesNotHaveBean(ReactiveReplicatedSessionRepository.class);
				assertThat(context).doesNotHaveBean(ReactiveSessionStoreUnavailableFilter.class);
			});
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("memquorum.session.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ReactiveReplicatedSessionRepository.class));
	}

	@Test
	void backsOffWithoutAnEngine() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MemquorumReactiveSessionAutoConfiguration.class,
					SessionAutoConfiguration.class))
			.withUserConfiguration(ServerPropertiesConfiguration.class)
			.run((context) -> assertThat(context).doesNotHaveBean(ReactiveReplicatedSessionRepository.class));
	}

	@Test
	void aServletApplicationGetsTheServletStoreOnly() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MemquorumSessionAutoConfiguration.class,
					MemquorumReactiveSessionAutoConfiguration.class, SessionAutoConfiguration.class))
			.withBean(ReplicatedMemcached.class, () -> engine, (definition) -> definition.setDestroyMethodName(""))
			.run((context) -> {
				assertThat(context).hasSingleBean(ReplicatedSessionRepository.class);
				assertThat(context).doesNotHaveBean(ReactiveReplicatedSessionRepository.class);
			});
	}

	@Test
	void immediateFlushFailsAsInvalidConfiguration() {
		this.contextRunner.withPropertyValues("memquorum.session.flush-mode=immediate")
			.run(failsWith("memquorum.session.flush-mode", "only on-save is supported"));
	}

	@Test
	void anInvalidKeyPrefixFailsAsInvalidConfiguration() {
		this.contextRunner.withPropertyValues("memquorum.session.key-prefix=with space")
			.run(failsWith("memquorum.session.key-prefix", "without whitespace"));
	}

	@Test
	void aNegativeRetryAfterFailsAsInvalidConfiguration() {
		this.contextRunner.withPropertyValues("memquorum.session.retry-after=-1s")
			.run(failsWith("memquorum.session.retry-after", "It must not be negative"));
	}

	@Test
	void aLostQuorumAnswers503WithRetryAfter() {
		this.contextRunner.withPropertyValues("memquorum.session.retry-after=30s").run((context) -> {
			ReactiveSessionStoreUnavailableFilter filter = context.getBean(ReactiveSessionStoreUnavailableFilter.class);
			MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/cart"));
			filter
				.filter(exchange,
						(ignored) -> Mono.error(new SessionStoreUnavailableException("Cannot save session #abc")))
				.block(Duration.ofSeconds(5));
			assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
			assertThat(exchange.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("30");
			assertThat(exchange.getResponse().getBodyAsString().block(Duration.ofSeconds(5)))
				.isEqualTo(SessionStoreUnavailableAnswer.EXPLANATION);
		});
	}

	@Test
	void otherFailuresPassThrough() {
		ReactiveSessionStoreUnavailableFilter filter = new ReactiveSessionStoreUnavailableFilter(Duration.ofSeconds(5));
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/"));
		IllegalStateException failure = new IllegalStateException("not the session store");
		assertThat(filter.filter(exchange, (ignored) -> Mono.error(failure)).onErrorResume((ex) -> {
			assertThat(ex).isSameAs(failure);
			return Mono.empty();
		}).then(Mono.just(exchange.getResponse().getStatusCode() == null)).block(Duration.ofSeconds(5))).isTrue();
	}

	/**
	 * What Boot's web server auto-configuration would bind; its session timeout reads it.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(ServerProperties.class)
	static class ServerPropertiesConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		@Bean
		ReactiveSessionRepositoryCustomizer<ReactiveReplicatedSessionRepository> prefixCustomizer() {
			return (repository) -> repository.getStore().setKeyPrefix("mine:");
		}

	}

}
