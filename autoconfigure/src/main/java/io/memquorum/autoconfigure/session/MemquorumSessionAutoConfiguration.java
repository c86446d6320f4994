package io.memquorum.autoconfigure.session;

import io.memquorum.autoconfigure.MemquorumProperties;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.session.ReplicatedSessionRepository;
import io.memquorum.session.SessionAttributeSerializer;
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
			return (repository) -> SessionStoreSettings.apply(repository, properties, sessionTimeout, serializer,
					memquorum);
		}

		@Bean
		@ConditionalOnMissingBean
		SessionStoreUnavailableFilter memquorumSessionStoreUnavailableFilter(MemquorumSessionProperties properties) {
			SessionStoreSettings.checkRetryAfter(properties);
			return new SessionStoreUnavailableFilter(properties.getRetryAfter());
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(MeterBinder.class)
		static class SessionMetricsConfiguration {

			@Bean
			@ConditionalOnMissingBean(name = "memquorumSessionMeterBinder")
			MeterBinder memquorumSessionMeterBinder(ReplicatedSessionRepository repository) {
				return SessionMeters.binder(repository);
			}

		}

	}

}
