package io.memquorum.sample.webflux.web;

import io.memquorum.sample.account.DemoAccounts;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.session.ReactiveSessionRegistry;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.server.DelegatingServerAuthenticationEntryPoint;
import org.springframework.security.web.server.DelegatingServerAuthenticationEntryPoint.DelegateEntry;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.HttpStatusServerEntryPoint;
import org.springframework.security.web.server.authentication.RedirectServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.SessionLimit;
import org.springframework.security.web.server.authentication.logout.DelegatingServerLogoutHandler;
import org.springframework.security.web.server.authentication.logout.SecurityContextServerLogoutHandler;
import org.springframework.security.web.server.authentication.logout.WebSessionServerLogoutHandler;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.session.ReactiveFindByIndexNameSessionRepository;
import org.springframework.session.ReactiveSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.security.SpringSessionBackedReactiveSessionRegistry;

/**
 * The servlet sample's rules on Spring Security's reactive stack: form login for pages; a
 * plain {@code 401} for the JSON API and the actuator, so that scripts see they are not
 * logged in instead of being sent to the login page; every other request that needs a
 * login is redirected to {@code /login}. Products, the backend call counter, the cluster
 * panel and health are public; the other actuator endpoints, {@code /actuator/memquorum}
 * among them, need a login. Signing in always lands on {@code /}; signing out ends the
 * WebSession (deleted from memcached), not only the login in it.
 *
 * <p>
 * Concurrent sessions: a user has at most {@code sample.sessions.maximum-per-user}
 * sessions (1 by default). Signing in once more ends the least recently used of them:
 * Spring Session's {@link SpringSessionBackedReactiveSessionRegistry} finds them through
 * memquorum's principal index and deletes it from the store, so the browser that held it
 * is signed out at its next request.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	@Bean
	SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ReactiveSessionRegistry sessionRegistry,
			@Value("${sample.sessions.maximum-per-user:1}") int maximumSessionsPerUser) {
		if (maximumSessionsPerUser < 1) {
			throw new IllegalArgumentException(
					"sample.sessions.maximum-per-user must be at least 1, was " + maximumSessionsPerUser);
		}
		http.authorizeExchange((exchanges) -> exchanges.pathMatchers("/login", "/app.css", "/app.js", "/favicon.ico")
			.permitAll()
			.pathMatchers("/api/products/**", "/api/backend-calls", "/api/cluster")
			.permitAll()
			.pathMatchers("/actuator/health", "/actuator/health/**")
			.permitAll()
			// The operations endpoint names keys and starts refills: operators only,
			// which in this demo means any signed-in user.
			.pathMatchers("/actuator/memquorum", "/actuator/memquorum/**")
			.authenticated()
			.anyExchange()
			.authenticated());
		// No saved request: signing in lands on "/", as defaultSuccessUrl("/", true) does
		// in the servlet sample, and an anonymous request does not create a session.
		http.requestCache((cache) -> cache.requestCache(NoOpServerRequestCache.getInstance()));
		http.formLogin((form) -> form.loginPage("/login"));
		http.logout((logout) -> logout.logoutHandler(new DelegatingServerLogoutHandler(
				new SecurityContextServerLogoutHandler(), new WebSessionServerLogoutHandler())));
		http.sessionManagement(
				(sessions) -> sessions.concurrentSessions((concurrency) -> concurrency.sessionRegistry(sessionRegistry)
					.maximumSessions(SessionLimit.of(maximumSessionsPerUser))));
		HttpStatusServerEntryPoint unauthorized = new HttpStatusServerEntryPoint(HttpStatus.UNAUTHORIZED);
		DelegatingServerAuthenticationEntryPoint entryPoint = new DelegatingServerAuthenticationEntryPoint(
				new DelegateEntry(ServerWebExchangeMatchers.pathMatchers("/api/**"), unauthorized),
				new DelegateEntry(ServerWebExchangeMatchers.pathMatchers("/actuator/**"), unauthorized));
		entryPoint.setDefaultEntryPoint(new RedirectServerAuthenticationEntryPoint("/login"));
		http.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(entryPoint));
		return http.build();
	}

	/**
	 * The registry that concurrent-session control counts sessions in: the session store
	 * itself, through its principal index.
	 * @param <S> the session type
	 * @param sessions memquorum's reactive session repository
	 * @param sessionsByPrincipal the same repository, by its principal index
	 * @return the registry
	 */
	@Bean
	<S extends Session> SpringSessionBackedReactiveSessionRegistry<S> sessionRegistry(
			ReactiveSessionRepository<S> sessions, ReactiveFindByIndexNameSessionRepository<S> sessionsByPrincipal) {
		return new SpringSessionBackedReactiveSessionRegistry<>(sessions, sessionsByPrincipal);
	}

	@Bean
	PasswordEncoder passwordEncoder() {
		return PasswordEncoderFactories.createDelegatingPasswordEncoder();
	}

	/**
	 * The two demo accounts, documented in the README.
	 * @param passwordEncoder encodes the demo passwords at startup
	 * @return alice and bob
	 */
	@Bean
	ReactiveUserDetailsService demoAccounts(PasswordEncoder passwordEncoder) {
		return new MapReactiveUserDetailsService(DemoAccounts.users(passwordEncoder));
	}

}
