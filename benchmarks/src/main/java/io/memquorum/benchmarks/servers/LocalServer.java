package io.memquorum.benchmarks.servers;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A server process started for one benchmark on a free loopback port, and destroyed with
 * it (or with the JVM, whichever comes first).
 */
public class LocalServer implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);

	private final String name;

	private final int port;

	private final Process process;

	private final Thread destroyOnExit;

	LocalServer(String name, int port, List<String> command, Path log) {
		this.name = name;
		this.port = port;
		try {
			this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + name + ": " + command, ex);
		}
		this.destroyOnExit = new Thread(this.process::destroyForcibly, name + "-destroy");
		Runtime.getRuntime().addShutdownHook(this.destroyOnExit);
		awaitListening(log);
	}

	/**
	 * Find an executable on the PATH or in the Debian locations.
	 * @param executable the name, for example {@code nutcracker}
	 * @param debianPackage the package that installs it, for the error message
	 * @return its path
	 * @throws ServerNotInstalledException when it is nowhere
	 */
	static String locate(String executable, String debianPackage) {
		List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
		directories.add("/usr/bin");
		directories.add("/usr/sbin");
		for (String directory : directories) {
			File candidate = new File(directory, executable);
			if (!directory.isEmpty() && candidate.canExecute()) {
				return candidate.getAbsolutePath();
			}
		}
		throw new ServerNotInstalledException(executable, debianPackage);
	}

	/**
	 * A loopback port that nothing listens on right now.
	 * @return the port
	 */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free loopback port", ex);
		}
	}

	static Path workDirectory(String name) {
		try {
			Path directory = Files.createTempDirectory("memquorum-bench-" + name);
			directory.toFile().deleteOnExit();
			return directory;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void awaitListening(Path log) {
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(this.name + " exited with " + this.process.exitValue()
						+ " before listening on port " + this.port + "; see " + log);
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
				return;
			}
			catch (IOException ex) {
				// not listening yet
			}
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while starting " + this.name, ex);
			}
		}
		this.process.destroyForcibly();
		throw new IllegalStateException(this.name + " did not listen on port " + this.port + " within "
				+ STARTUP_TIMEOUT.toSeconds() + " s; see " + log);
	}

	public int port() {
		return this.port;
	}

	/**
	 * The address clients connect to.
	 * @return {@code 127.0.0.1:port}
	 */
	public String address() {
		return "127.0.0.1:" + this.port;
	}

	@Override
	public void close() {
		this.process.destroyForcibly();
		try {
			this.process.waitFor();
			Runtime.getRuntime().removeShutdownHook(this.destroyOnExit);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (IllegalStateException ex) {
			// the JVM is shutting down already
		}
	}

	@Override
	public String toString() {
		return this.name + "@" + address();
	}

}
