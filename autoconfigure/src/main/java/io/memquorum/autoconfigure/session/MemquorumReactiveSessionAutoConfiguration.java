package io.memquorum.autoconfigure.session;

import io.memquorum.autoconfigure.MemquorumProperties;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.session.ReactiveReplicatedSessionRepository;
import io.memquorum.session.ReplicatedSessionRepository;
import io.memquorum.session.SessionAttributeSerializer;
import io.micrometer.core.instrument.binder.MeterBinder;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.session.autoconfigure.SessionAutoConfiguration;
import org.springframework.boot.session.autoconfigure.SessionTimeout;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.session.FlushMode;
import org.springframework.session.ReactiveSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.config.ReactiveSessionRepositoryCustomizer;
import org.springframework.session.config.annotation.web.server.SpringWebSessionConfiguration;
import org.springframework.web.server.WebFilter;

/**
 * Auto-configuration of a replicated Spring Session store for reactive (WebFlux)
 * applications: a {@link ReactiveReplicatedSessionRepository} on the application's
 * {@link ReplicatedMemcached}, with Spring Session's {@code WebSessionManager}, and a
 * {@link ReactiveSessionStoreUnavailableFilter} that answers a lost write quorum with
 * {@code 503} and {@code Retry-After}. It takes the same {@code memquorum.session.*}
 * properties as the servlet store, except that {@code flush-mode} must stay
 * {@code on-save}. Backs off when the application defines its own
 * {@link ReactiveSessionRepository} or sets {@code memquorum.session.enabled=false}.
 * <p>
 * Runs before WebFlux's auto-configuration: both define the bean named
 * {@code webSessionManager}, and WebFlux's in-memory one backs off only when Spring
 * Session's is already registered.
 */
@AutoConfiguration(before = SessionAutoConfiguration.class,
		beforeName = "org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration",
		afterName = "io.memquorum.autoconfigure.MemquorumAutoConfiguration")
@ConditionalOnClass({ Session.class, ReactiveReplicatedSessionRepository.class, SessionAutoConfiguration.class,
		Mono.class, WebFilter.class })
@ConditionalOnWebApplication(type = Type.REACTIVE)
@ConditionalOnBooleanProperty(name = "memquorum.session.enabled", matchIfMissing = true)
@ConditionalOnBean(ReplicatedMemcached.class)
@ConditionalOnMissingBean(ReactiveSessionRepository.class)
@EnableConfigurationProperties(MemquorumSessionProperties.class)
@Import(SpringWebSessionConfiguration.class)
public final class MemquorumReactiveSessionAutoConfiguration {

	@Bean
	ReactiveReplicatedSessionRepository reactiveSessionRepository(ReplicatedMemcached engine,
			ApplicationEventPublisher eventPublisher,
			ObjectProvider<ReactiveSessionRepositoryCustomizer<ReactiveReplicatedSessionRepository>> customizers) {
		ReactiveReplicatedSessionRepository repository = new ReactiveReplicatedSessionRepository(engine);
		repository.getStore().setApplicationEventPublisher(eventPublisher);
		customizers.orderedStream().forEach((customizer) -> customizer.customize(repository));
		return repository;
	}

	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	ReactiveSessionRepositoryCustomizer<ReactiveReplicatedSessionRepository> memquorumReactiveSessionRepositoryCustomizer(
			MemquorumSessionProperties properties, ObjectProvider<SessionTimeout> sessionTimeout,
			ObjectProvider<SessionAttributeSerializer> serializer, ObjectProvider<MemquorumProperties> memquorum) {
		if (properties.getFlushMode() != FlushMode.ON_SAVE) {
			throw new InvalidConfigurationPropertyValueException("memquorum.session.flush-mode",
					properties.getFlushMode(),
					"A reactive application saves sessions when the response is committed: only on-save is supported");
		}
		return (repository) -> {
			ReplicatedSessionRepository store = repository.getStore();
			SessionStoreSettings.apply(store, properties, sessionTimeout, serializer, memquorum);
		};
	}

	@Bean
	@ConditionalOnMissingBean
	ReactiveSessionStoreUnavailableFilter memquorumReactiveSessionStoreUnavailableFilter(
			MemquorumSessionProperties properties) {
		SessionStoreSettings.checkRetryAfter(properties);
		return new ReactiveSessionStoreUnavailableFilter(properties.getRetryAfter());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterBinder.class)
	static class ReactiveSessionMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "memquorumSessionMeterBinder")
		MeterBinder memquorumSessionMeterBinder(ReactiveReplicatedSessionRepository repository) {
			return SessionMeters.binder(repository.getStore());
		}

	}

}
