package io.memquorum.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A real memcached process listening on a loopback port, which tests can kill, restart,
 * pause and resume to simulate node failures.
 * <p>
 * The raw protocol methods ({@link #stats()}, {@link #rawGet(String)},
 * {@link #rawSet(String, byte[], int, int)} and friends) talk to the node directly over
 * the text protocol, independently of any client under test. Each uses a fresh connection
 * with the {@linkplain MemcachedOptions#protocolTimeout() protocol timeout}, so against a
 * paused node they fail with an {@link UncheckedIOException} caused by a
 * {@link java.net.SocketTimeoutException}, and against a killed node with one caused by a
 * {@link java.net.ConnectException}.
 * <p>
 * The lifecycle methods may be called from one thread while others use the node. The
 * process is killed when the node is {@linkplain #close() closed}, when the JVM shuts
 * down, and also when the JVM dies without running shutdown hooks.
 * <p>
 * memcached runs under {@code sh} and is always given {@code -u} with the current user,
 * since it refuses to run as root otherwise, so this works on Linux and macOS but not on
 * Windows.
 */
public final class MemcachedNode implements AutoCloseable {

	private static final String HOST = "127.0.0.1";

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration SAME_PORT_TIMEOUT = Duration.ofSeconds(5);

	private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(5);

	private static final Duration FLUSH_RECLAIM_TIMEOUT = Duration.ofSeconds(2);

	private static final Duration READINESS_PROBE_TIMEOUT = Duration.ofMillis(500);

	private static final int PORT_ATTEMPTS = 20;

	private final Object lifecycle = new Object();

	private final Path binary;

	private final MemcachedOptions options;

	private final String host;

	private final int port;

	private final TextProtocolClient client;

	private volatile MemcachedProcess process;

	private volatile boolean paused;

	private volatile boolean closed;

	private MemcachedNode(Path binary, MemcachedOptions options, String host, int port, MemcachedProcess process) {
		this.binary = binary;
		this.options = options;
		this.host = host;
		this.port = port;
		this.process = process;
		this.client = new TextProtocolClient(host, port, (int) options.protocolTimeout().toMillis(),
				options.credentials());
	}

	/**
	 * Start memcached with {@linkplain MemcachedOptions#defaults() default options} on a
	 * free loopback port and wait until it accepts connections.
	 * @return the running node
	 * @throws MemcachedNotInstalledException if no memcached executable can be found
	 */
	public static MemcachedNode start() {
		return start(MemcachedOptions.defaults());
	}

	/**
	 * Start memcached with the given options on a free loopback port and wait until it
	 * accepts connections.
	 * @param options the options for the process
	 * @return the running node
	 * @throws MemcachedNotInstalledException if no memcached executable can be found
	 */
	public static MemcachedNode start(MemcachedOptions options) {
		Objects.requireNonNull(options, "options");
		Path binary = MemcachedBinary.locate();
		// Another process can take the port between probing and memcached binding it,
		// so a lost race is retried with a different port.
		for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
			int port = freePort();
			try {
				return new MemcachedNode(binary, options, HOST, port, launch(binary, options, HOST, port));
			}
			catch (PortInUseException ex) {
				// Lost the race for this port; the next attempt picks another one.
			}
		}
		throw new IllegalStateException("Could not start memcached: " + PORT_ATTEMPTS
				+ " free loopback ports in a row were taken before memcached could bind them");
	}

	/**
	 * Start memcached on a given loopback address and port, for example to stand in for a
	 * node that moved: a replacement answering under the same name and port at another
	 * address.
	 * @param options the options for the process
	 * @param host a loopback address, such as {@code 127.0.0.2}
	 * @param port the TCP port
	 * @return the running node
	 * @throws IllegalStateException when memcached cannot bind that address and port
	 */
	public static MemcachedNode startAt(MemcachedOptions options, String host, int port) {
		Objects.requireNonNull(options, "options");
		Path binary = MemcachedBinary.locate();
		try {
			return new MemcachedNode(binary, options, host, port, launch(binary, options, host, port));
		}
		catch (PortInUseException ex) {
			throw new IllegalStateException(host + ":" + port + " is already in use", ex);
		}
	}

	/**
	 * Return the address memcached listens on.
	 * @return {@code "127.0.0.1"} unless started with {@link #startAt}
	 */
	public String host() {
		return this.host;
	}

	/**
	 * Return the TCP port, which stays the same across {@link #restartEmpty()}.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Return the address in {@code host:port} form.
	 * @return for example {@code "127.0.0.1:38211"}
	 */
	public String address() {
		return this.host + ":" + this.port;
	}

	/**
	 * Return the pid of the current memcached process, or of the last one if the node has
	 * been killed.
	 * @return the process id
	 */
	public long pid() {
		return this.process.pid();
	}

	/**
	 * Return whether the memcached process is alive. A paused process counts as running.
	 * @return whether the process is alive
	 */
	public boolean isRunning() {
		return this.process.isAlive();
	}

	/**
	 * Return whether the process is alive and stopped by {@link #pause()}.
	 * @return whether the node is paused
	 */
	public boolean isPaused() {
		return this.paused && this.process.isAlive();
	}

	/**
	 * Return the options the node was started with.
	 * @return the options
	 */
	public MemcachedOptions options() {
		return this.options;
	}

	/**
	 * Kill the process with SIGKILL, so that it gets no chance to close connections
	 * gracefully, and return once it is gone. Does nothing if the process is not running.
	 */
	public void kill() {
		synchronized (this.lifecycle) {
			this.process.kill(KILL_TIMEOUT);
			this.paused = false;
		}
	}

	/**
	 * Kill the process if it is running and start a new, empty one on the same port.
	 * Returns once the new process accepts connections.
	 */
	public void restartEmpty() {
		synchronized (this.lifecycle) {
			assertNotClosed();
			if (this.paused && this.process.isAlive()) {
				resume();
			}
			kill();
			// The kernel can keep the port for a moment after the old process is gone,
			// and unlike a fresh start this one must come back on the same port.
			long deadline = System.nanoTime() + SAME_PORT_TIMEOUT.toNanos();
			while (true) {
				try {
					this.process = launch(this.binary, this.options, this.host, this.port);
					return;
				}
				catch (PortInUseException ex) {
					if (System.nanoTime() - deadline > 0) {
						throw new IllegalStateException("Could not restart memcached on " + address()
								+ ": the port was still in use " + SAME_PORT_TIMEOUT.toMillis()
								+ " ms after the old process died" + MemcachedProcess.describeOutput(ex.output));
					}
					Waits.pause(50);
				}
			}
		}
	}

	/**
	 * Stop the process with SIGSTOP. It keeps its port and connections, so clients can
	 * connect but get no answers, as with a hung or partitioned server.
	 */
	public void pause() {
		synchronized (this.lifecycle) {
			assertRunning("pause");
			if (!this.paused) {
				this.process.signal("STOP");
				this.process.awaitStopped(true, SIGNAL_TIMEOUT);
				this.paused = true;
			}
		}
	}

	/**
	 * Continue a process stopped by {@link #pause()} with SIGCONT. Requests that arrived
	 * while it was paused are answered then. Does nothing if the node is not paused.
	 */
	public void resume() {
		synchronized (this.lifecycle) {
			if (this.paused && this.process.isAlive()) {
				this.process.signal("CONT");
				this.process.awaitStopped(false, SIGNAL_TIMEOUT);
			}
			this.paused = false;
		}
	}

	/**
	 * Return the general-purpose statistics ({@code stats}).
	 * @return the statistics by name, in the order memcached reports them
	 */
	public Map<String, String> stats() {
		return this.client.stats();
	}

	/**
	 * Return a group of statistics, such as {@code settings}, {@code items} or
	 * {@code slabs} ({@code stats <group>}).
	 * @param group the group name
	 * @return the statistics by name, in the order memcached reports them
	 */
	public Map<String, String> stats(String group) {
		return this.client.stats(group);
	}

	/**
	 * Invalidate all items ({@code flush_all}).
	 * <p>
	 * memcached answers at once but reclaims the flushed items in the background, and
	 * until then they still count in {@code curr_items}. This method therefore waits
	 * briefly for {@link #currentItems()} to reach zero, and returns without complaint if
	 * concurrent writes keep it from getting there.
	 */
	public void flushAll() {
		this.client.flushAll();
		long deadline = System.nanoTime() + FLUSH_RECLAIM_TIMEOUT.toNanos();
		while (currentItems() > 0 && System.nanoTime() - deadline < 0) {
			Waits.pause(5);
		}
	}

	/**
	 * Read the stored bytes of a key with a plain {@code get}, bypassing any client under
	 * test and its serialization.
	 * @param key the key, as sent on the wire
	 * @return the value bytes, or {@code null} on a miss
	 */
	public byte @Nullable [] rawGet(String key) {
		return this.client.get(key);
	}

	/**
	 * Store bytes under a key with a plain {@code set}, bypassing any client under test
	 * and its serialization.
	 * @param key the key, as sent on the wire
	 * @param value the value bytes
	 * @param flags the client flags stored with the item
	 * @param ttlSeconds the expiry in seconds, or {@code 0} for none
	 */
	public void rawSet(String key, byte[] value, int flags, int ttlSeconds) {
		Objects.requireNonNull(value, "value");
		this.client.set(key, value, flags, ttlSeconds);
	}

	/**
	 * Return the number of items currently stored ({@code curr_items}). Expired and
	 * flushed items count until memcached reclaims them.
	 * @return the item count
	 */
	public long currentItems() {
		String items = stats().get("curr_items");
		if (items == null) {
			throw new IllegalStateException("memcached at " + address() + " did not report curr_items");
		}
		return Long.parseLong(items);
	}

	/**
	 * Return the keys of all live items, as listed by {@code lru_crawler metadump all}
	 * and decoded from its URL encoding. Expired and flushed items are not listed.
	 * @return the keys, in no particular order
	 */
	public List<String> keys() {
		return this.client.keys();
	}

	/**
	 * Kill the process. Safe to call more than once; a closed node cannot be restarted.
	 */
	@Override
	public void close() {
		synchronized (this.lifecycle) {
			this.closed = true;
			kill();
		}
	}

	@Override
	public String toString() {
		String state = this.closed ? "closed" : isPaused() ? "paused" : isRunning() ? "running" : "killed";
		return "MemcachedNode[" + address() + ", pid " + pid() + ", " + state + "]";
	}

	private void assertNotClosed() {
		if (this.closed) {
			throw new IllegalStateException("memcached node " + address() + " is closed");
		}
	}

	private void assertRunning(String operation) {
		assertNotClosed();
		if (!this.process.isAlive()) {
			throw new IllegalStateException(
					"Cannot " + operation + " memcached node " + address() + " because its process is not running");
		}
	}

	/**
	 * Start memcached on a port and wait until it answers. memcached exits at once if it
	 * cannot bind the port, so an early exit with that message means the port is taken.
	 */
	private static MemcachedProcess launch(Path binary, MemcachedOptions options, String host, int port)
			throws PortInUseException {
		MemcachedCredentials credentials = options.credentials();
		Path authFile = (credentials != null) ? AuthFile.write(credentials) : null;
		try {
			return launch(binary, options, host, port, authFile);
		}
		finally {
			// memcached reads its auth file once at startup (and on SIGHUP, which
			// these tests never send), so it need not outlive the launch.
			AuthFile.delete(authFile);
		}
	}

	private static MemcachedProcess launch(Path binary, MemcachedOptions options, String host, int port,
			@Nullable Path authFile) throws PortInUseException {
		MemcachedProcess process = MemcachedProcess.launch(binary,
				options.commandLine(host, port, System.getProperty("user.name"), authFile));
		TextProtocolClient probe = new TextProtocolClient(host, port, (int) READINESS_PROBE_TIMEOUT.toMillis(),
				options.credentials());
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		RuntimeException lastFailure = null;
		while (true) {
			if (!process.isAlive()) {
				String output = process.output();
				String status = process.exitStatus().map((value) -> " with status " + value).orElse("");
				process.kill(KILL_TIMEOUT);
				if (output.contains("Address already in use")) {
					throw new PortInUseException(output);
				}
				throw new IllegalStateException("memcached exited" + status + " before accepting connections on " + host
						+ ":" + port + MemcachedProcess.describeOutput(output));
			}
			try {
				probe.version();
				// Something else may have been listening on the port while memcached
				// failed to bind it, so make sure the answer came from this process.
				if (Long.toString(process.pid()).equals(probe.stats().get("pid"))) {
					return process;
				}
			}
			catch (RuntimeException ex) {
				lastFailure = ex;
			}
			if (System.nanoTime() - deadline > 0) {
				String output = process.output();
				process.kill(KILL_TIMEOUT);
				IllegalStateException failure = new IllegalStateException(
						"memcached did not accept connections on " + host + ":" + port + " within "
								+ STARTUP_TIMEOUT.toSeconds() + " s" + MemcachedProcess.describeOutput(output));
				if (lastFailure != null) {
					failure.initCause(lastFailure);
				}
				throw failure;
			}
			Waits.pause(10);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket()) {
			socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not find a free port on " + HOST, ex);
		}
	}

	/**
	 * memcached could not bind its port; the message is what memcached printed.
	 */
	private static final class PortInUseException extends Exception {

		private static final long serialVersionUID = 1L;

		private final String output;

		PortInUseException(String output) {
			super("Address already in use", null, false, false);
			this.output = output;
		}

	}

}
