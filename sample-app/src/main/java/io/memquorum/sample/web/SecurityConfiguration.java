package io.memquorum.sample.web;

import io.memquorum.sample.account.DemoAccounts;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;

/**
 * Form login for pages; a plain {@code 401} for the JSON API and the actuator, so that
 * scripts see they are not logged in instead of being sent to the login page. Every other
 * request that needs a login is redirected to {@code /login}, whatever it accepts.
 * Products, the backend call counter, the cluster panel and health are public; the other
 * actuator endpoints, {@code /actuator/memquorum} among them, need a login.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
		PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
		http.authorizeHttpRequests(
				(requests) -> requests.requestMatchers("/login", "/error", "/app.css", "/app.js", "/favicon.ico")
					.permitAll()
					.requestMatchers("/api/products/**", "/api/backend-calls", "/api/cluster")
					.permitAll()
					.requestMatchers("/actuator/health", "/actuator/health/**")
					.permitAll()
					// The operations endpoint names keys and starts refills: operators
					// only, which in this demo means any signed-in user.
					.requestMatchers("/actuator/memquorum", "/actuator/memquorum/**")
					.authenticated()
					.anyRequest()
					.authenticated());
		http.formLogin((form) -> form.loginPage("/login").defaultSuccessUrl("/", true).permitAll());
		http.logout((logout) -> logout.logoutSuccessUrl("/login?logout"));
		http.exceptionHandling((exceptions) -> exceptions
			.defaultAuthenticationEntryPointFor(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED),
					paths.matcher("/api/**"))
			.defaultAuthenticationEntryPointFor(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED),
					paths.matcher("/actuator/**"))
			.defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint("/login"),
					AnyRequestMatcher.INSTANCE));
		return http.build();
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
	UserDetailsService demoAccounts(PasswordEncoder passwordEncoder) {
		return new InMemoryUserDetailsManager(DemoAccounts.users(passwordEncoder));
	}

}
