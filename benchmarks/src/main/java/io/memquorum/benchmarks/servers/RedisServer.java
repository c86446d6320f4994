package io.memquorum.benchmarks.servers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway redis-server: no persistence, loopback only, on a free port.
 */
public final class RedisServer extends LocalServer {

	private RedisServer(int port, List<String> command, Path log) {
		super("redis-server", port, command, log);
	}

	/**
	 * Start redis-server without snapshots or an append-only file.
	 * @return the running server
	 * @throws ServerNotInstalledException when redis-server is not installed
	 */
	public static RedisServer start() {
		return start(List.of());
	}

	/**
	 * Start redis-server without snapshots or an append-only file, with more settings.
	 * @param settings further command-line settings, for example
	 * {@code --maxmemory 256mb}
	 * @return the running server
	 * @throws ServerNotInstalledException when redis-server is not installed
	 */
	public static RedisServer start(List<String> settings) {
		String executable = locate("redis-server", "redis-server");
		int port = freePort();
		Path directory = workDirectory("redis");
		List<String> command = new ArrayList<>(
				List.of(executable, "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
						"no", "--dir", directory.toString(), "--protected-mode", "yes"));
		command.addAll(settings);
		return new RedisServer(port, command, directory.resolve("redis.log"));
	}

}
