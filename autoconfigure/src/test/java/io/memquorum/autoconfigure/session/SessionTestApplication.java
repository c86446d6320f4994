package io.memquorum.autoconfigure.session;

import java.io.Serializable;
import java.security.Principal;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.logout.HttpStatusReturningLogoutSuccessHandler;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.security.SpringSessionBackedSessionRegistry;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A small web application with form login whose sessions live in memquorum. The engine
 * comes from this application, since the engine auto-configuration is not part of these
 * tests: {@code test.memcached.servers} and {@code test.read-consistency}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(SessionTestApplication.Pages.class)
class SessionTestApplication {

	@Bean(destroyMethod = "close")
	ReplicatedMemcached replicatedMemcached(Environment environment) {
		return ReplicatedMemcached.builder()
			.servers(environment.getRequiredProperty("test.memcached.servers").split(","))
			.readConsistency(
					environment.getProperty("test.read-consistency", ReadConsistency.class, ReadConsistency.FIRST_HIT))
			.operationTimeout(Duration.ofSeconds(1))
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(300))
			.restartCheckInterval(Duration.ofMillis(200))
			.reconnectInterval(Duration.ofMillis(200))
			.build();
	}

	@Bean
	SessionRegistry sessionRegistry(FindByIndexNameSessionRepository<? extends Session> sessions) {
		return new SpringSessionBackedSessionRegistry<>(sessions);
	}

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http, SessionRegistry sessionRegistry) {
		http.authorizeHttpRequests((requests) -> requests.requestMatchers("/login", "/public/**", "/error")
			.permitAll()
			.anyRequest()
			.authenticated())
			.formLogin((login) -> login.successHandler((request, response, authentication) -> response.setStatus(200))
				.failureHandler((request, response, failure) -> response.setStatus(401)))
			.logout((logout) -> logout.logoutSuccessHandler(new HttpStatusReturningLogoutSuccessHandler()))
			.exceptionHandling((exceptions) -> exceptions
				.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)))
			.csrf((csrf) -> csrf.disable())
			.sessionManagement((sessions) -> sessions.maximumSessions(-1).sessionRegistry(sessionRegistry));
		return http.build();
	}

	@Bean
	UserDetailsService userDetailsService() {
		return (username) -> User.withUsername(username).password("{noop}secret").roles("USER").build();
	}

	@RestController
	static class Pages {

		private final SessionRegistry sessionRegistry;

		Pages(SessionRegistry sessionRegistry) {
			this.sessionRegistry = sessionRegistry;
		}

		@GetMapping("/me")
		String me(Principal principal) {
			return principal.getName();
		}

		@PostMapping("/attributes")
		String setAttribute(HttpSession session, @RequestParam String name, @RequestParam String value) {
			session.setAttribute(name, value);
			return "ok";
		}

		@GetMapping("/attributes")
		Map<String, Object> attributes(HttpSession session) {
			Map<String, Object> attributes = new TreeMap<>();
			session.getAttributeNames().asIterator().forEachRemaining((name) -> {
				if (!name.startsWith("SPRING_SECURITY")) {
					attributes.put(name, session.getAttribute(name));
				}
			});
			return attributes;
		}

		@GetMapping("/sessions")
		int sessionsOf(@RequestParam String user) {
			return this.sessionRegistry.getAllSessions(user, false).size();
		}

		@GetMapping("/public/ping")
		String ping(HttpServletRequest request) {
			request.getSession(true);
			return "pong";
		}

		@PostMapping("/public/cart")
		String fillCart(HttpSession session, @RequestParam String item) {
			session.setAttribute("cart", new Cart(item));
			return "ok";
		}

		@GetMapping("/public/cart")
		String cart(HttpSession session) {
			Cart cart = (Cart) session.getAttribute("cart");
			return (cart != null) ? cart.item() : "none";
		}

	}

	/**
	 * A class, not a record: records skip the serialVersionUID check.
	 */
	static final class Cart implements Serializable {

		private static final long serialVersionUID = 1L;

		private final String item;

		Cart(String item) {
			this.item = item;
		}

		String item() {
			return this.item;
		}

	}

}
