package io.memquorum.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;

/**
 * Where the memcached nodes are and how to log in to them. The {@code memquorum.*}
 * properties are the default source; a bean of this type (from Testcontainers, Docker
 * Compose or the application's own discovery) replaces them, and setting it turns
 * memquorum on as {@code memquorum.servers} does.
 */
public interface MemquorumConnectionDetails extends ConnectionDetails {

	/**
	 * The server entries, each {@code host:port}, {@code dns+name:port} or
	 * {@code dnssrv+name}.
	 * @return the entries, at least one
	 */
	List<String> getServers();

	/**
	 * The user memcached's {@code -Y} auth file expects.
	 * @return the username, or {@code null} when the nodes accept every connection
	 */
	default @Nullable String getUsername() {
		return null;
	}

	/**
	 * The password of {@link #getUsername()}.
	 * @return the password, or {@code null} when the nodes accept every connection
	 */
	default @Nullable String getPassword() {
		return null;
	}

}
