package io.memquorum.autoconfigure.session;

import java.time.Duration;
import java.util.List;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.session.JdkSessionAttributeSerializer;
import io.memquorum.session.JsonSessionAttributeSerializer;
import io.memquorum.session.ReplicatedSessionRepository;
import io.memquorum.session.SessionAttributeSerializer;
import io.memquorum.test.MemcachedClusterExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.session.autoconfigure.SessionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.session.FlushMode;
import org.springframework.session.MapSessionRepository;
import org.springframework.session.SaveMode;
import org.springframework.session.SessionRepository;
import org.springframework.session.config.SessionRepositoryCustomizer;
import org.springframework.session.web.http.SessionRepositoryFilter;

import static io.memquorum.autoconfigure.InvalidConfiguration.failsWith;
import static org.assertj.core.api.Assertions.assertThat;

class MemquorumSessionAutoConfigurationTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(1);

	private static ReplicatedMemcached engine;

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(MemquorumSessionAutoConfiguration.class, SessionAutoConfiguration.class))
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
	void whenTheEngineIsPresentThenAReplicatedSessionRepositoryBacksSpringSession() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ReplicatedSessionRepository.class);
			assertThat(context).hasSingleBean(SessionRepositoryFilter.class);
			ReplicatedSessionRepository repository = context.getBean(ReplicatedSessionRepository.class);
			assertThat(repository.getKeyPrefix()).isEqualTo("session:");
			assertThat(repository.getFlushMode()).isEqualTo(FlushMode.ON_SAVE);
			assertThat(repository.getSaveMode()).isEqualTo(SaveMode.ON_SET_ATTRIBUTE);
			assertThat(repository.isDegradeWhenUnreachable()).isFalse();
			assertThat(repository.getDefaultMaxInactiveInterval()).isEqualTo(Duration.ofMinutes(30));
			assertThat(repository.getSerializer()).isInstanceOf(JdkSessionAttributeSerializer.class);
		});
	}

	@Test
	void aFilterJustOutsideSpringSessionsAnswersALostQuorumWith503AfterTheConfiguredRetry() {
		this.contextRunner.withPropertyValues("memquorum.session.retry-after=30s").run((context) -> {
			SessionStoreUnavailableFilter filter = context.getBean(SessionStoreUnavailableFilter.class);
			assertThat(filter.getOrder()).isEqualTo(SessionRepositoryFilter.DEFAULT_ORDER - 1);
			org.springframework.mock.web.MockHttpServletResponse response = new org.springframework.mock.web.MockHttpServletResponse();
			filter.doFilter(new org.springframework.mock.web.MockHttpServletRequest(), response, (request, ignored) -> {
				throw new io.memquorum.session.SessionStoreUnavailableException("Cannot save session #abc");
			});
			assertThat(response.getStatus()).isEqualTo(503);
			assertThat(response.getHeader("Retry-After")).isEqualTo("30");
			assertThat(response.getContentAsString()).isEqualTo(SessionStoreUnavailableAnswer.EXPLANATION);
		});
	}

	@Test
	void whenTheUserDefinesTheUnavailableFilterThenAutoConfigurationBacksOff() {
		this.contextRunner
			.withBean("myFilter", SessionStoreUnavailableFilter.class,
					() -> new SessionStoreUnavailableFilter(Duration.ofSeconds(1)))
			.run((context) -> assertThat(context).getBean(SessionStoreUnavailableFilter.class)
				.isSameAs(context.getBean("myFilter")));
	}

	@Test
	void whenThereIsNoEngineThenAutoConfigurationBacksOff() {
		new WebApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(MemquorumSessionAutoConfiguration.class, SessionAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ReplicatedSessionRepository.class));
	}

	@Test
	void whenTheUserDefinesASessionRepositoryThenAutoConfigurationBacksOff() {
		this.contextRunner.withBean(SessionRepository.class, () -> new MapSessionRepository(new java.util.HashMap<>()))
			.run((context) -> assertThat(context).doesNotHaveBean(ReplicatedSessionRepository.class));
	}

	@Test
	void whenTheSessionStoreIsDisabledThenAutoConfigurationBacksOff() {
		this.contextRunner.withPropertyValues("memquorum.session.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ReplicatedSessionRepository.class));
	}

	@Test
	void whenTheApplicationIsNotAWebApplicationThenAutoConfigurationBacksOff() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(MemquorumSessionAutoConfiguration.class, SessionAutoConfiguration.class))
			.withBean(ReplicatedMemcached.class, () -> engine, (definition) -> definition.setDestroyMethodName(""))
			.run((context) -> assertThat(context).doesNotHaveBean(ReplicatedSessionRepository.class));
	}

	@Test
	void propertiesReachTheRepository() {
		this.contextRunner
			.withPropertyValues("memquorum.session.key-prefix=shop:", "memquorum.session.flush-mode=immediate",
					"memquorum.session.save-mode=always", "memquorum.session.degrade-when-unreachable=true",
					"memquorum.session.allowed-packages=com.example.shop")
			.run((context) -> {
				ReplicatedSessionRepository repository = context.getBean(ReplicatedSessionRepository.class);
				assertThat(repository.getKeyPrefix()).isEqualTo("shop:");
				assertThat(repository.getFlushMode()).isEqualTo(FlushMode.IMMEDIATE);
				assertThat(repository.getSaveMode()).isEqualTo(SaveMode.ALWAYS);
				assertThat(repository.isDegradeWhenUnreachable()).isTrue();
				assertThat(((JdkSessionAttributeSerializer) repository.getSerializer()).getAllowedPackages())
					.contains("com.example.shop", "java.util", "org.springframework.security")
					.doesNotContain("java");
			});
	}

	@Test
	void theTimeoutComesFromSpringSessionTimeout() {
		this.contextRunner.withPropertyValues("spring.session.timeout=5m", "server.servlet.session.timeout=7m")
			.run((context) -> assertThat(
					context.getBean(ReplicatedSessionRepository.class).getDefaultMaxInactiveInterval())
				.isEqualTo(Duration.ofMinutes(5)));
	}

	@Test
	void userCustomizersRunAfterThePropertiesAndWin() {
		this.contextRunner.withPropertyValues("memquorum.session.key-prefix=shop:")
			.withUserConfiguration(UserCustomizerConfiguration.class)
			.run((context) -> assertThat(context.getBean(ReplicatedSessionRepository.class).getKeyPrefix())
				.isEqualTo("custom:"));
	}

	@Test
	void theJsonSerializerIsChosenByPropertyWithTheSameAllowList() {
		this.contextRunner
			.withPropertyValues("memquorum.session.serializer=json",
					"memquorum.session.allowed-packages=com.example.shop")
			.run((context) -> assertThat(context.getBean(ReplicatedSessionRepository.class).getSerializer())
				.isInstanceOfSatisfying(JsonSessionAttributeSerializer.class,
						(serializer) -> assertThat(serializer.getAllowedPackages()).contains("com.example.shop",
								"org.springframework.security", "java.util")));
	}

	@Test
	void aUserSerializerIsUsed() {
		SessionAttributeSerializer serializer = new JdkSessionAttributeSerializer(List.of("com.example"), null);
		this.contextRunner.withBean(SessionAttributeSerializer.class, () -> serializer)
			.run((context) -> assertThat(context.getBean(ReplicatedSessionRepository.class).getSerializer())
				.isSameAs(serializer));
	}

	@Test
	void aNegativeRetryAfterFailsAtStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("memquorum.session.retry-after=-1s")
			.run(failsWith("memquorum.session.retry-after", "It must not be negative"));
	}

	@Test
	void anInvalidKeyPrefixFailsAtStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("memquorum.session.key-prefix=has space").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("memquorum.session.key-prefix");
		});
	}

	@Test
	void anInvalidAllowedPackageFailsAtStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("memquorum.session.allowed-packages=com.example;evil")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("memquorum.session.allowed-packages"));
	}

	@Test
	void sessionCountersAreBoundToTheMeterRegistry() {
		this.contextRunner.run((context) -> {
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			context.getBean(io.micrometer.core.instrument.binder.MeterBinder.class).bindTo(registry);
			assertThat(registry.get("memquorum.session.unreadable").functionCounter().count()).isZero();
			assertThat(registry.find("memquorum.session.unreachable").functionCounter()).isNotNull();
		});
	}

	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	static class UserCustomizerConfiguration {

		@org.springframework.context.annotation.Bean
		@Order(Ordered.LOWEST_PRECEDENCE)
		SessionRepositoryCustomizer<ReplicatedSessionRepository> userCustomizer() {
			return (repository) -> repository.setKeyPrefix("custom:");
		}

	}

}
