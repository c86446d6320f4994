package io.memquorum.node;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The username and password memcached asks for when started with {@code -Y <auth file>}
 * (text-protocol authentication, memcached 1.6). The password never appears in
 * {@link #toString()} or in any message.
 *
 * @param username the user, as listed in memcached's auth file
 * @param password the password
 */
public record NodeCredentials(String username, String password) {

	/**
	 * Check the credentials can be sent: the text protocol sends them as one line,
	 * {@code user password}, so neither may hold whitespace.
	 * @param username the user
	 * @param password the password
	 * @throws IllegalArgumentException when either is empty or holds whitespace or
	 * control characters
	 */
	public NodeCredentials {
		Objects.requireNonNull(username, "username");
		Objects.requireNonNull(password, "password");
		if (username.isEmpty() || username.chars().anyMatch((c) -> c <= ' ' || c == 127)) {
			throw new IllegalArgumentException(
					"memcached username must be a non-empty word without spaces or control characters");
		}
		if (password.isEmpty() || password.chars().anyMatch((c) -> c <= ' ' || c == 127)) {
			throw new IllegalArgumentException(
					"memcached password must be non-empty and hold no spaces or control characters");
		}
	}

	/**
	 * The value of the {@code set} that authenticates a connection.
	 * @return {@code user password} in UTF-8
	 */
	byte[] authenticationValue() {
		return (this.username + " " + this.password).getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public String toString() {
		return "NodeCredentials[username=" + this.username + ", password=(hidden)]";
	}

}
