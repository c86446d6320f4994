package io.memquorum.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.memquorum.test.MemcachedNode;
import io.memquorum.test.MemcachedOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults seen by an application in a JVM of its own ({@link EngineInAnotherJvm}, default
 * settings), whose first node is given by host name through a hosts file: the node moving
 * to a new address under that name, frozen or killed, and a frozen application JVM
 * against a frozen node.
 */
class NodeInAnotherProcessTests {

	private static final String NAME = "memquorum-moving-node";

	/** What the issue asks: the replacement takes writes within 10 s. */
	private static final Duration REPLACEMENT_DEADLINE = Duration.ofSeconds(10);

	private final List<MemcachedNode> nodes = new ArrayList<>();

	private final ConcurrentLinkedQueue<String> reports = new ConcurrentLinkedQueue<>();

	@TempDir
	Path directory;

	private Path hosts;

	private MemcachedNode named;

	private int port;

	private Process application;

	@BeforeEach
	void startNodesAndApplication() throws IOException {
		this.port = freePort();
		this.named = start(MemcachedNode.startAt(MemcachedOptions.defaults(), "127.0.0.2", this.port));
		MemcachedNode second = start(MemcachedNode.start());
		MemcachedNode third = start(MemcachedNode.start());
		this.hosts = this.directory.resolve("hosts");
		pointNameAt("127.0.0.2");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		this.application = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
				"-Djdk.net.hosts.file=" + this.hosts, "-cp", System.getProperty("java.class.path"),
				EngineInAnotherJvm.class.getName(),
				NAME + ":" + this.port + "," + second.address() + "," + third.address())
			.redirectErrorStream(true)
			.start();
		Thread reader = new Thread(this::readReports, "application-output");
		reader.setDaemon(true);
		reader.start();
		await().atMost(Duration.ofSeconds(30)).until(() -> this.reports.contains("ready"));
		await().atMost(Duration.ofSeconds(10)).until(() -> writesOn(this.named) > 0);
	}

	@AfterEach
	void stopEverything() throws IOException {
		if (this.application != null) {
			this.application.getOutputStream().close();
			this.application.destroyForcibly();
		}
		this.nodes.forEach(MemcachedNode::close);
	}

	@Test
	void aFrozenNodeReplacedUnderItsNameAtANewAddressTakesWritesWithinTenSeconds() throws IOException {
		this.named.pause();
		long frozenAt = System.nanoTime();
		MemcachedNode replacement = start(MemcachedNode.startAt(MemcachedOptions.defaults(), "127.0.0.3", this.port));
		pointNameAt("127.0.0.3");
		await().atMost(REPLACEMENT_DEADLINE)
			.alias("the replacement takes writes; the application said " + this.reports)
			.until(() -> writesOn(replacement) > 0);
		System.out.printf("frozen node: the replacement at a new address took writes %d ms after the freeze%n",
				(System.nanoTime() - frozenAt) / 1_000_000);
		assertRefilledAndMarkedComplete(replacement);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.reports.contains("up " + NAME + ":" + this.port));
	}

	@Test
	void aKilledNodeRestartedUnderItsNameAtANewAddressTakesWritesWithinTenSeconds() throws IOException {
		this.named.kill();
		long killedAt = System.nanoTime();
		MemcachedNode replacement = start(MemcachedNode.startAt(MemcachedOptions.defaults(), "127.0.0.3", this.port));
		pointNameAt("127.0.0.3");
		await().atMost(REPLACEMENT_DEADLINE)
			.alias("the replacement takes writes; the application said " + this.reports)
			.until(() -> writesOn(replacement) > 0);
		System.out.printf("killed node: the replacement at a new address took writes %d ms after the kill%n",
				(System.nanoTime() - killedAt) / 1_000_000);
		assertRefilledAndMarkedComplete(replacement);
	}

	@Test
	void aFrozenApplicationJvmMarksNoNodeDownWhileAFrozenNodeIsMarkedDown() throws Exception {
		long pid = this.application.pid();
		signal("STOP", pid);
		// Long enough for every command in flight to pass its 250 ms timeout.
		await().pollDelay(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2)).until(() -> true);
		signal("CONT", pid);
		await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
		assertThat(this.reports).as("nodes marked down after the application JVM froze")
			.noneMatch((line) -> line.startsWith("down "));
		this.nodes.get(1).pause();
		try {
			await().atMost(Duration.ofSeconds(5))
				.until(() -> this.reports.contains("down " + this.nodes.get(1).address()));
		}
		finally {
			this.nodes.get(1).resume();
		}
		assertThat(this.reports).noneMatch((line) -> line.equals("down " + NAME + ":" + this.port));
	}

	/**
	 * The replacement is a new process, so the engine counts it restarted and refills it
	 * from its peers; the refill ends by writing the node's completeness marker.
	 */
	private void assertRefilledAndMarkedComplete(MemcachedNode replacement) {
		await().atMost(Duration.ofSeconds(20))
			.alias("the replacement is refilled and marked complete; the application said " + this.reports)
			.until(() -> replacement.rawGet("#m:complete") != null);
	}

	private MemcachedNode start(MemcachedNode node) {
		this.nodes.add(node);
		return node;
	}

	private void pointNameAt(String address) throws IOException {
		Path written = this.directory.resolve("hosts.next");
		Files.writeString(written, address + " " + NAME + "\n", StandardCharsets.US_ASCII);
		Files.move(written, this.hosts, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
				java.nio.file.StandardCopyOption.ATOMIC_MOVE);
	}

	private static long writesOn(MemcachedNode node) {
		try {
			return Long.parseLong(node.stats().getOrDefault("cmd_set", "0"));
		}
		catch (RuntimeException ex) {
			return 0;
		}
	}

	private void readReports() {
		try (BufferedReader output = new BufferedReader(
				new InputStreamReader(this.application.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = output.readLine()) != null) {
				this.reports.add(line.trim());
			}
		}
		catch (IOException ex) {
			// The application was stopped.
		}
	}

	private static void signal(String signal, long pid) throws IOException, InterruptedException {
		int status = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
		assertThat(status).as("kill -" + signal).isZero();
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket()) {
			socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
