package io.memquorum.autoconfigure.session;

import java.util.List;

import io.memquorum.autoconfigure.MemquorumProperties;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.session.JdkSessionAttributeSerializer;
import io.memquorum.session.JsonSessionAttributeSerializer;
import io.memquorum.session.ReplicatedSessionRepository;
import io.memquorum.session.SessionAttributeSerializer;
import io.memquorum.signing.IdCipher;
import io.memquorum.signing.SigningKeys;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.session.autoconfigure.SessionAutoConfiguration;
import org.springframework.boot.session.autoconfigure.SessionTimeout;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.config.SessionRepositoryCustomizer;
import org.springframework.session.config.annotation.web.http.SpringHttpSessionConfiguration;
import org.springframework.util.ClassUtils;

/**
 * Auto-configuration of a replicated Spring Session store for servlet applications: a
 * {@link ReplicatedSessionRepository} on the application's {@link ReplicatedMemcached}.
 * Backs off when the application defines its own {@link SessionRepository} or sets
 * {@code memquorum.session.enabled=false}.
 */
@AutoConfiguration(before = SessionAutoConfiguration.class,
		afterName = "io.memquorum.autoconfigure.MemquorumAutoConfiguration")
@ConditionalOnClass({ Session.class, ReplicatedSessionRepository.class, SessionAutoConfiguration.class })
@EnableConfigurationProperties(MemquorumSessionProperties.class)
public final class MemquorumSessionAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	@ConditionalOnBooleanProperty(name = "memquorum.session.enabled", matchIfMissing = true)
	@ConditionalOnBean(ReplicatedMemcached.class)
	@ConditionalOnMissingBean(SessionRepository.class)
	@Import(SpringHttpSessionConfiguration.class)
	static class ServletSessionConfiguration {

		@Bean
		ReplicatedSessionRepository sessionRepository(ReplicatedMemcached engine,
				ApplicationEventPublisher eventPublisher,
				ObjectProvider<SessionRepositoryCustomizer<ReplicatedSessionRepository>> customizers) {
			ReplicatedSessionRepository repository = new ReplicatedSessionRepository(engine);
			repository.setApplicationEventPublisher(eventPublisher);
			customizers.orderedStream().forEach((customizer) -> customizer.customize(repository));
			return repository;
		}

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		SessionRepositoryCustomizer<ReplicatedSessionRepository> memquorumSessionRepositoryCustomizer(
				MemquorumSessionProperties properties, ObjectProvider<SessionTimeout> sessionTimeout,
				ObjectProvider<SessionAttributeSerializer> serializer, ObjectProvider<MemquorumProperties> memquorum) {
			return (repository) -> {
				// The signing keys (validated with the engine) also seal the session ids.
				memquorum.ifAvailable((settings) -> {
					List<String> keys = settings.getSigning().getKeys();
					if (!keys.isEmpty()) {
						repository.setIdCipher(new IdCipher(SigningKeys.of(keys)));
					}
				});
				PropertyMapper map = PropertyMapper.get();
				sessionTimeout.ifAvailable(
						(timeout) -> map.from(timeout::getTimeout).to(repository::setDefaultMaxInactiveInterval));
				map.from(properties::getKeyPrefix).to((keyPrefix) -> {
					try {
						repository.setKeyPrefix(keyPrefix);
					}
					catch (IllegalArgumentException ex) {
						throw new InvalidConfigurationPropertyValueException("memquorum.session.key-prefix", keyPrefix,
								ex.getMessage());
					}
				});
				map.from(properties::getFlushMode).to(repository::setFlushMode);
				map.from(properties::getSaveMode).to(repository::setSaveMode);
				map.from(properties::isDegradeWhenUnreachable).to(repository::setDegradeWhenUnreachable);
				repository.setSerializer(serializer.getIfAvailable(() -> serializer(properties)));
			};
		}

		@Bean
		@ConditionalOnMissingBean
		SessionStoreUnavailableFilter memquorumSessionStoreUnavailableFilter(MemquorumSessionProperties properties) {
			if (properties.getRetryAfter().isNegative()) {
				throw new InvalidConfigurationPropertyValueException("memquorum.session.retry-after",
						properties.getRetryAfter(), "It must not be negative");
			}
			return new SessionStoreUnavailableFilter(properties.getRetryAfter());
		}

		private static SessionAttributeSerializer serializer(MemquorumSessionProperties properties) {
			try {
				return switch (properties.getSerializer()) {
					case JDK -> new JdkSessionAttributeSerializer(properties.getAllowedPackages(),
							MemquorumSessionAutoConfiguration.class.getClassLoader());
					case JSON -> jsonSerializer(properties);
				};
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException("memquorum.session.allowed-packages",
						properties.getAllowedPackages(), ex.getMessage());
			}
		}

		private static SessionAttributeSerializer jsonSerializer(MemquorumSessionProperties properties) {
			ClassLoader classLoader = MemquorumSessionAutoConfiguration.class.getClassLoader();
			if (!ClassUtils.isPresent("tools.jackson.databind.json.JsonMapper", classLoader)) {
				throw new InvalidConfigurationPropertyValueException("memquorum.session.serializer", "json",
						"The JSON serializer needs Jackson 3 (tools.jackson.core:jackson-databind) on the class path");
			}
			return new JsonSessionAttributeSerializer(properties.getAllowedPackages(), classLoader);
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(MeterBinder.class)
		static class SessionMetricsConfiguration {

			@Bean
			@ConditionalOnMissingBean(name = "memquorumSessionMeterBinder")
			MeterBinder memquorumSessionMeterBinder(ReplicatedSessionRepository repository) {
				return (registry) -> {
					FunctionCounter
						.builder("memquorum.session.unreadable", repository,
								ReplicatedSessionRepository::getUnreadableSessionCount)
						.description("Sessions found but unreadable, read as absent")
						.register(registry);
					FunctionCounter
						.builder("memquorum.session.attributes.unreadable", repository,
								ReplicatedSessionRepository::getUnreadableAttributeCount)
						.description("Session attributes that could not be deserialized when read, read as null")
						.register(registry);
					FunctionCounter
						.builder("memquorum.session.unreachable", repository,
								ReplicatedSessionRepository::getUnreachableReadCount)
						.description("Session lookups that no memcached replica could answer")
						.register(registry);
					FunctionCounter
						.builder("memquorum.session.access.deferred", repository,
								ReplicatedSessionRepository::getDeferredAccessUpdateCount)
						.description("Last-access updates skipped while the write quorum was lost")
						.register(registry);
					FunctionCounter
						.builder("memquorum.session.resurrections.prevented", repository,
								ReplicatedSessionRepository::getResurrectionsPreventedCount)
						.description("Saves that found their session deleted and wrote nothing")
						.register(registry);
				};
			}

		}

	}

}
