package io.memquorum.test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Immutable command-line options for a memcached process started by
 * {@link MemcachedNode}. Each {@code with...} method returns a modified copy.
 * <p>
 * The listen address, port, UDP port and user are always chosen by {@link MemcachedNode},
 * so they should not be passed as extra arguments.
 */
public final class MemcachedOptions {

	private static final MemcachedOptions DEFAULTS = new MemcachedOptions(64, "1m", 2, 1024, Duration.ofSeconds(2),
			List.of(), null);

	private final int memoryMegabytes;

	private final String itemSizeLimit;

	private final int threads;

	private final int maxConnections;

	private final Duration protocolTimeout;

	private final List<String> extraArguments;

	private final @Nullable MemcachedCredentials credentials;

	private MemcachedOptions(int memoryMegabytes, String itemSizeLimit, int threads, int maxConnections,
			Duration protocolTimeout, List<String> extraArguments, @Nullable MemcachedCredentials credentials) {
		this.memoryMegabytes = memoryMegabytes;
		this.itemSizeLimit = itemSizeLimit;
		this.threads = threads;
		this.maxConnections = maxConnections;
		this.protocolTimeout = protocolTimeout;
		this.extraArguments = extraArguments;
		this.credentials = credentials;
	}

	/**
	 * Options for a small test server: 64 MB of memory ({@code -m 64}), a 1 MB item size
	 * limit ({@code -I 1m}), two worker threads ({@code -t 2}), 1024 connections
	 * ({@code -c 1024}) and a two second timeout for the raw protocol operations of
	 * {@link MemcachedNode}.
	 * @return the default options
	 */
	public static MemcachedOptions defaults() {
		return DEFAULTS;
	}

	/**
	 * Return a copy with a different cache size ({@code -m}).
	 * @param mb the memory for items in megabytes
	 * @return the modified options
	 */
	public MemcachedOptions withMemoryMegabytes(int mb) {
		if (mb <= 0) {
			throw new IllegalArgumentException("memory must be positive, was " + mb + " MB");
		}
		return new MemcachedOptions(mb, this.itemSizeLimit, this.threads, this.maxConnections, this.protocolTimeout,
				this.extraArguments, this.credentials);
	}

	/**
	 * Return a copy with a different maximum item size ({@code -I}).
	 * @param limit the limit as memcached accepts it, for example {@code "2m"} or
	 * {@code "512k"}
	 * @return the modified options
	 */
	public MemcachedOptions withItemSizeLimit(String limit) {
		Objects.requireNonNull(limit, "limit");
		if (limit.isBlank() || limit.chars().anyMatch(Character::isWhitespace)) {
			throw new IllegalArgumentException(
					"item size limit must be a single token such as \"2m\", was \"" + limit + "\"");
		}
		return new MemcachedOptions(this.memoryMegabytes, limit, this.threads, this.maxConnections,
				this.protocolTimeout, this.extraArguments, this.credentials);
	}

	/**
	 * Return a copy with a different number of worker threads ({@code -t}).
	 * @param threads the number of worker threads
	 * @return the modified options
	 */
	public MemcachedOptions withThreads(int threads) {
		if (threads <= 0) {
			throw new IllegalArgumentException("threads must be positive, was " + threads);
		}
		return new MemcachedOptions(this.memoryMegabytes, this.itemSizeLimit, threads, this.maxConnections,
				this.protocolTimeout, this.extraArguments, this.credentials);
	}

	/**
	 * Return a copy with a different maximum number of simultaneous connections
	 * ({@code -c}).
	 * @param connections the connection limit
	 * @return the modified options
	 */
	public MemcachedOptions withMaxConnections(int connections) {
		if (connections <= 0) {
			throw new IllegalArgumentException("connections must be positive, was " + connections);
		}
		return new MemcachedOptions(this.memoryMegabytes, this.itemSizeLimit, this.threads, connections,
				this.protocolTimeout, this.extraArguments, this.credentials);
	}

	/**
	 * Return a copy with a different connect and read timeout for the raw protocol
	 * operations of {@link MemcachedNode}, such as {@link MemcachedNode#rawGet(String)}.
	 * @param timeout the timeout, at least one millisecond
	 * @return the modified options
	 */
	public MemcachedOptions withProtocolTimeout(Duration timeout) {
		Objects.requireNonNull(timeout, "timeout");
		if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
			throw new IllegalArgumentException(
					"protocol timeout must be between 1 ms and " + Integer.MAX_VALUE + " ms, was " + timeout);
		}
		return new MemcachedOptions(this.memoryMegabytes, this.itemSizeLimit, this.threads, this.maxConnections,
				timeout, this.extraArguments, this.credentials);
	}

	/**
	 * Return a copy with further command-line arguments appended after the ones already
	 * configured, for example {@code "-o", "no_lru_crawler"}.
	 * @param args the arguments to append
	 * @return the modified options
	 */
	public MemcachedOptions withExtraArguments(String... args) {
		Objects.requireNonNull(args, "args");
		List<String> combined = new ArrayList<>(this.extraArguments);
		for (String arg : args) {
			combined.add(Objects.requireNonNull(arg, "args must not contain null"));
		}
		return new MemcachedOptions(this.memoryMegabytes, this.itemSizeLimit, this.threads, this.maxConnections,
				this.protocolTimeout, List.copyOf(combined), this.credentials);
	}

	/**
	 * Return a copy that makes memcached require a username and password on its text
	 * protocol ({@code -Y <auth file>}): every connection must send them as its first
	 * command before memcached answers anything else. The node writes the auth file
	 * itself and removes it once memcached has read it. The raw protocol methods of
	 * {@link MemcachedNode} authenticate on each of their connections.
	 * @param username the user, without spaces or colons
	 * @param password the password, without spaces
	 * @return the modified options
	 */
	public MemcachedOptions withCredentials(String username, String password) {
		return new MemcachedOptions(this.memoryMegabytes, this.itemSizeLimit, this.threads, this.maxConnections,
				this.protocolTimeout, this.extraArguments, new MemcachedCredentials(username, password));
	}

	/**
	 * Return the credentials memcached requires, if any.
	 * @return the credentials, or {@code null} when memcached accepts every connection
	 */
	public @Nullable MemcachedCredentials credentials() {
		return this.credentials;
	}

	/**
	 * Return the cache size in megabytes.
	 * @return the {@code -m} value
	 */
	public int memoryMegabytes() {
		return this.memoryMegabytes;
	}

	/**
	 * Return the maximum item size.
	 * @return the {@code -I} value
	 */
	public String itemSizeLimit() {
		return this.itemSizeLimit;
	}

	/**
	 * Return the number of worker threads.
	 * @return the {@code -t} value
	 */
	public int threads() {
		return this.threads;
	}

	/**
	 * Return the maximum number of simultaneous connections.
	 * @return the {@code -c} value
	 */
	public int maxConnections() {
		return this.maxConnections;
	}

	/**
	 * Return the connect and read timeout of the raw protocol operations.
	 * @return the protocol timeout
	 */
	public Duration protocolTimeout() {
		return this.protocolTimeout;
	}

	/**
	 * Return the extra command-line arguments.
	 * @return an unmodifiable list of arguments
	 */
	public List<String> extraArguments() {
		return this.extraArguments;
	}

	List<String> commandLine(int port, String user) {
		return commandLine("127.0.0.1", port, user, null);
	}

	List<String> commandLine(String host, int port, String user, @Nullable Path authFile) {
		List<String> arguments = new ArrayList<>(Arrays.asList("-u", user, "-l", host, "-p", Integer.toString(port),
				"-U", "0", "-m", Integer.toString(this.memoryMegabytes), "-I", this.itemSizeLimit, "-t",
				Integer.toString(this.threads), "-c", Integer.toString(this.maxConnections)));
		if (authFile != null) {
			arguments.add("-Y");
			arguments.add(authFile.toString());
		}
		arguments.addAll(this.extraArguments);
		return arguments;
	}

	@Override
	public boolean equals(@Nullable Object obj) {
		if (this == obj) {
			return true;
		}
		if (!(obj instanceof MemcachedOptions other)) {
			return false;
		}
		return this.memoryMegabytes == other.memoryMegabytes && this.itemSizeLimit.equals(other.itemSizeLimit)
				&& this.threads == other.threads && this.maxConnections == other.maxConnections
				&& this.protocolTimeout.equals(other.protocolTimeout)
				&& this.extraArguments.equals(other.extraArguments)
				&& Objects.equals(this.credentials, other.credentials);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.memoryMegabytes, this.itemSizeLimit, this.threads, this.maxConnections,
				this.protocolTimeout, this.extraArguments, this.credentials);
	}

	@Override
	public String toString() {
		return "MemcachedOptions[memoryMegabytes=" + this.memoryMegabytes + ", itemSizeLimit=" + this.itemSizeLimit
				+ ", threads=" + this.threads + ", maxConnections=" + this.maxConnections + ", protocolTimeout="
				+ this.protocolTimeout + ", extraArguments=" + this.extraArguments
				+ ((this.credentials != null) ? ", username=" + this.credentials.username() : "") + "]";
	}

}
