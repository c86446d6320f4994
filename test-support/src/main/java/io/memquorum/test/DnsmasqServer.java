package io.memquorum.test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

import org.jspecify.annotations.Nullable;

/**
 * A real DNS server, Debian's {@code dnsmasq}, on a free loopback port, answering only
 * from records the test sets: A/AAAA records in a hosts directory that dnsmasq re-reads
 * by itself when a file changes, and SRV records in a configuration file, which dnsmasq
 * reads only at start, so {@link #setServices} restarts it on the same port. Names under
 * {@code .test} that have no record answer NXDOMAIN; nothing is forwarded.
 */
public final class DnsmasqServer implements AutoCloseable {

	private static final List<String> WELL_KNOWN_DIRECTORIES = List.of("/usr/sbin", "/usr/bin", "/sbin",
			"/usr/local/sbin");

	/** A name always present, answered once dnsmasq has read its hosts directory. */
	private static final String READY = "ready.memquorum.test";

	private final Path binary;

	private final Path directory;

	private final int port;

	private final Map<String, List<String>> services = new LinkedHashMap<>();

	private @Nullable Process process;

	private boolean paused;

	private DnsmasqServer(Path binary, Path directory, int port) {
		this.binary = binary;
		this.directory = directory;
		this.port = port;
	}

	/**
	 * Where dnsmasq is installed.
	 * @return the executable, or {@code null} when it is not installed
	 */
	public static @Nullable Path locate() {
		List<String> directories = new ArrayList<>();
		String path = System.getenv("PATH");
		if (path != null) {
			for (String entry : path.split(File.pathSeparator)) {
				if (!entry.isEmpty()) {
					directories.add(entry);
				}
			}
		}
		directories.addAll(WELL_KNOWN_DIRECTORIES);
		for (String directory : directories) {
			Path candidate = Path.of(directory, "dnsmasq");
			if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		return null;
	}

	/**
	 * Why tests that need a DNS server are skipped.
	 * @return the message
	 */
	public static String notInstalledMessage() {
		return "dnsmasq is not installed, so the tests against a real DNS server are skipped: install it with"
				+ " 'sudo apt-get install -y dnsmasq' (.ci/run does)";
	}

	/**
	 * Start dnsmasq with no records.
	 * @return the running server
	 * @throws IllegalStateException when dnsmasq is not installed or does not start
	 */
	public static DnsmasqServer start() {
		Path binary = locate();
		if (binary == null) {
			throw new IllegalStateException(notInstalledMessage());
		}
		try {
			Path directory = Files.createTempDirectory("memquorum-dnsmasq");
			Files.createDirectories(directory.resolve("hosts"));
			Files.writeString(directory.resolve("hosts").resolve(READY), "127.0.0.1 " + READY + "\n",
					StandardCharsets.US_ASCII);
			DnsmasqServer server = new DnsmasqServer(binary, directory, freePort());
			server.launch();
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not prepare dnsmasq's files", ex);
		}
	}

	/**
	 * Where the server answers.
	 * @return {@code 127.0.0.1:port}
	 */
	public String address() {
		return "127.0.0.1:" + this.port;
	}

	/**
	 * Set the addresses of a name (A and AAAA records); none removes the name. dnsmasq
	 * notices the file within a moment; wait for the answer before relying on it.
	 * @param name the host name, for example {@code mc-0.mc.test}
	 * @param addresses IP literals
	 */
	public void setAddresses(String name, String... addresses) {
		Path file = this.directory.resolve("hosts").resolve(name);
		try {
			if (addresses.length == 0) {
				Files.deleteIfExists(file);
				// A deleted file is not re-read: restarting forgets it.
				restart();
				return;
			}
			StringBuilder lines = new StringBuilder();
			for (String address : addresses) {
				lines.append(address).append(' ').append(name).append('\n');
			}
			// Written aside and moved in, so dnsmasq never reads half a file.
			Path temporary = this.directory.resolve(name + ".tmp");
			Files.writeString(temporary, lines, StandardCharsets.US_ASCII);
			Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			awaitAddresses(name, addresses.length);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not write the records of " + name, ex);
		}
	}

	/**
	 * Set the SRV records of a name, each {@code target:port}; none removes them.
	 * Restarts dnsmasq on the same port, since it reads SRV records only at start.
	 * @param name the SRV name, for example {@code _memcache._tcp.mc.test}
	 * @param targets the targets, each {@code host:port}
	 */
	public void setServices(String name, List<String> targets) {
		if (targets.isEmpty()) {
			this.services.remove(name);
		}
		else {
			this.services.put(name, List.copyOf(targets));
		}
		restart();
	}

	/**
	 * Stop answering without closing the port (SIGSTOP): questions time out.
	 */
	public void pause() {
		signal("STOP");
		this.paused = true;
	}

	/**
	 * Answer again after {@link #pause()}.
	 */
	public void resume() {
		signal("CONT");
		this.paused = false;
	}

	private synchronized void restart() {
		stopProcess();
		launch();
	}

	private synchronized void launch() {
		try {
			StringBuilder conf = new StringBuilder();
			this.services.forEach((name, targets) -> {
				for (String target : targets) {
					int colon = target.lastIndexOf(':');
					conf.append("srv-host=")
						.append(name)
						.append(',')
						.append(target, 0, colon)
						.append(',')
						.append(target.substring(colon + 1))
						.append(",0,100\n");
				}
			});
			Path confFile = this.directory.resolve("dnsmasq.conf");
			Files.writeString(confFile, conf, StandardCharsets.US_ASCII);
			List<String> command = List.of(this.binary.toString(), "--keep-in-foreground", "--port=" + this.port,
					"--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts", "--no-poll",
					"--cache-size=0", "--local-ttl=0", "--local=/test/", "--conf-file=" + confFile,
					"--hostsdir=" + this.directory.resolve("hosts"), "--user=" + System.getProperty("user.name"),
					"--pid-file=", "--log-facility=-");
			Path log = this.directory.resolve("dnsmasq.log");
			Process started = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
				.start();
			this.process = started;
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (!answers()) {
				if (!started.isAlive() || System.nanoTime() > deadline) {
					started.destroyForcibly();
					throw new IllegalStateException("dnsmasq did not start on port " + this.port + ": "
							+ Files.readString(log, StandardCharsets.UTF_8));
				}
				TimeUnit.MILLISECONDS.sleep(20);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start dnsmasq", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while starting dnsmasq", ex);
		}
	}

	/** Answers once it has read its hosts directory, where {@link #READY} always is. */
	private boolean answers() {
		return addressCount(READY) == 1;
	}

	/** dnsmasq re-reads a changed hosts file by inotify, a moment after the change. */
	private void awaitAddresses(String name, int count) {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (addressCount(name) != count) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("dnsmasq did not pick up the records of " + name);
			}
			try {
				TimeUnit.MILLISECONDS.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for dnsmasq", ex);
			}
		}
	}

	private int addressCount(String name) {
		Hashtable<String, String> environment = new Hashtable<>();
		environment.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
		environment.put(Context.PROVIDER_URL, "dns://" + address());
		environment.put("com.sun.jndi.dns.timeout.initial", "200");
		environment.put("com.sun.jndi.dns.timeout.retries", "1");
		try {
			DirContext context = new InitialDirContext(environment);
			try {
				Attributes attributes = context.getAttributes(name, new String[] { "A", "AAAA" });
				int count = 0;
				for (String type : new String[] { "A", "AAAA" }) {
					count += (attributes.get(type) != null) ? attributes.get(type).size() : 0;
				}
				return count;
			}
			finally {
				context.close();
			}
		}
		catch (NamingException ex) {
			return -1;
		}
	}

	private void signal(String signal) {
		Process running = this.process;
		if (running == null) {
			throw new IllegalStateException("dnsmasq is not running");
		}
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(running.pid())).inheritIO().start();
			if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
				throw new IllegalStateException("kill -" + signal + " " + running.pid() + " failed");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not signal dnsmasq", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while signalling dnsmasq", ex);
		}
	}

	private void stopProcess() {
		Process running = this.process;
		if (running == null) {
			return;
		}
		if (this.paused) {
			signal("CONT");
			this.paused = false;
		}
		running.destroy();
		try {
			if (!running.waitFor(5, TimeUnit.SECONDS)) {
				running.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.process = null;
	}

	private static int freePort() throws IOException {
		// Free for TCP and for UDP: dnsmasq needs both.
		for (int attempt = 0; attempt < 50; attempt++) {
			try (ServerSocket tcp = new ServerSocket()) {
				tcp.setReuseAddress(false);
				tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
				int port = tcp.getLocalPort();
				try (DatagramSocket udp = new DatagramSocket(
						new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
					return port;
				}
				catch (IOException ex) {
					// Taken for UDP: try another.
				}
			}
		}
		throw new IOException("No loopback port free for both TCP and UDP");
	}

	@Override
	public synchronized void close() {
		stopProcess();
		try (Stream<Path> files = Files.walk(this.directory)) {
			files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
		}
		catch (IOException ex) {
			// A temporary directory left behind is harmless.
		}
	}

	@Override
	public String toString() {
		return "dnsmasq at " + address();
	}

}
