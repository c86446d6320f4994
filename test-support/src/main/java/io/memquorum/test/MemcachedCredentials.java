package io.memquorum.test;

import java.util.Objects;

/**
 * The username and password a memcached node started with
 * {@link MemcachedOptions#withCredentials(String, String)} requires on its text protocol.
 * The password is left out of {@link #toString()}.
 *
 * @param username the user, without whitespace or colons (memcached's auth file holds
 * {@code user:password} lines)
 * @param password the password, without whitespace (the text protocol sends
 * {@code user password} as one line)
 */
public record MemcachedCredentials(String username, String password) {

	public MemcachedCredentials {
		Objects.requireNonNull(username, "username");
		Objects.requireNonNull(password, "password");
		if (username.isEmpty() || username.chars().anyMatch((c) -> c <= ' ' || c == ':' || c == 127)) {
			throw new IllegalArgumentException(
					"username must be a non-empty word without spaces or colons, was '" + username + "'");
		}
		if (password.isEmpty() || password.chars().anyMatch((c) -> c <= ' ' || c == 127)) {
			throw new IllegalArgumentException("password must be a non-empty word without spaces");
		}
	}

	/**
	 * The line of memcached's auth file that admits these credentials.
	 * @return {@code user:password} followed by a newline
	 */
	String authFileLine() {
		return this.username + ":" + this.password + "\n";
	}

	/**
	 * The value of the {@code set} command that authenticates a text-protocol connection.
	 * @return {@code user password}
	 */
	String authenticationValue() {
		return this.username + " " + this.password;
	}

	@Override
	public String toString() {
		return "MemcachedCredentials[username=" + this.username + ", password=(hidden)]";
	}

}
