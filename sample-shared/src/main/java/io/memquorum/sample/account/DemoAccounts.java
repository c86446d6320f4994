package io.memquorum.sample.account;

import java.util.List;

import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * The two demo accounts of both samples, documented in the README: {@code alice} /
 * {@code alice-pass} and {@code bob} / {@code bob-pass}. The servlet sample keeps them in
 * an {@code InMemoryUserDetailsManager}, the WebFlux sample in a
 * {@code MapReactiveUserDetailsService}.
 */
public final class DemoAccounts {

	private DemoAccounts() {
	}

	/**
	 * The demo users.
	 * @param passwordEncoder encodes the demo passwords at startup
	 * @return alice and bob, with the role {@code USER}
	 */
	public static List<UserDetails> users(PasswordEncoder passwordEncoder) {
		return List.of(User.withUsername("alice").password(passwordEncoder.encode("alice-pass")).roles("USER").build(),
				User.withUsername("bob").password(passwordEncoder.encode("bob-pass")).roles("USER").build());
	}

}
