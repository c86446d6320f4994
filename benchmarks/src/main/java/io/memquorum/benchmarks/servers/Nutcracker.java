package io.memquorum.benchmarks.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * twemproxy ({@code nutcracker}, as Debian packages it) in front of memcached nodes: one
 * pool, ketama distribution, text protocol, on a free loopback port. twemproxy shards; it
 * does not replicate, so each key lives on exactly one node.
 */
public final class Nutcracker extends LocalServer {

	private Nutcracker(int port, List<String> command, Path log) {
		super("nutcracker", port, command, log);
	}

	/**
	 * Start nutcracker in front of the given nodes.
	 * @param servers memcached nodes as {@code host:port}
	 * @return the running proxy
	 * @throws ServerNotInstalledException when nutcracker is not installed
	 */
	public static Nutcracker start(List<String> servers) {
		String executable = locate("nutcracker", "nutcracker");
		int port = freePort();
		int statsPort = freePort();
		Path directory = workDirectory("nutcracker");
		List<String> lines = new ArrayList<>();
		lines.add("memquorum_bench:");
		lines.add("  listen: 127.0.0.1:" + port);
		lines.add("  hash: fnv1a_64");
		lines.add("  distribution: ketama");
		lines.add("  timeout: 1000");
		lines.add("  backlog: 1024");
		lines.add("  preconnect: true");
		lines.add("  auto_eject_hosts: false");
		lines.add("  servers:");
		for (String server : servers) {
			lines.add("   - " + server + ":1");
		}
		Path config = directory.resolve("nutcracker.yml");
		try {
			Files.write(config, lines);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		List<String> command = List.of(executable, "-c", config.toString(), "-s", String.valueOf(statsPort), "-a",
				"127.0.0.1", "-o", directory.resolve("nutcracker.log").toString(), "-v", "4");
		return new Nutcracker(port, command, directory.resolve("nutcracker.out"));
	}

}
