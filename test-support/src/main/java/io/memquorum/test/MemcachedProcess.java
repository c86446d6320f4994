package io.memquorum.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

/**
 * One memcached process, started under a shell watchdog that kills it once the JVM is
 * gone.
 * <p>
 * A shutdown hook only runs when the JVM exits in an orderly way, so it cannot clean up
 * after a JVM that was killed with SIGKILL or crashed. The watchdog covers that case: it
 * reads the standard input that only this JVM writes to, and when that pipe reaches
 * end-of-file, because the JVM closed it or died, it kills memcached. The shell that
 * started memcached also waits for it and exits with its status, so the lifetime of the
 * {@link Process} the JVM holds matches the lifetime of memcached itself.
 */
final class MemcachedProcess {

	/**
	 * memcached's stdin is /dev/null so that only the watchdog holds the lifeline pipe,
	 * and the watchdog reads it through a copy on descriptor 3 because a non-interactive
	 * shell gives background jobs /dev/null as their standard input. The memcached pid is
	 * the first line of output; everything memcached says goes to the log file that is
	 * the wrapper's standard error. The watchdog removes that file itself because a JVM
	 * that died cannot.
	 */
	private static final String WATCHDOG_SCRIPT = """
			log=$1
			shift
			"$@" </dev/null >&2 &
			child=$!
			echo "$child"
			exec 3<&0 </dev/null >/dev/null
			( read _ignored <&3; rm -f "$log"; kill -CONT "$child"; kill -KILL "$child" ) 2>/dev/null &
			watchdog=$!
			exec 3<&-
			wait "$child"
			status=$?
			kill "$watchdog" 2>/dev/null
			exit "$status"
			""";

	private static final int MAX_OUTPUT_CHARACTERS = 4096;

	private static final Set<MemcachedProcess> live = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(MemcachedProcess::destroyAll, "memquorum-memcached-shutdown"));
	}

	private final Process wrapper;

	private final long pid;

	private final @Nullable ProcessHandle handle;

	private final Path log;

	private final AtomicBoolean destroyed = new AtomicBoolean();

	private MemcachedProcess(Process wrapper, long pid, @Nullable ProcessHandle handle, Path log) {
		this.wrapper = wrapper;
		this.pid = pid;
		this.handle = handle;
		this.log = log;
	}

	/**
	 * Start memcached without waiting for it to accept connections.
	 * @param binary the memcached executable
	 * @param arguments the command-line arguments for memcached
	 * @return the started process
	 */
	static MemcachedProcess launch(Path binary, List<String> arguments) {
		Path log;
		try {
			log = Files.createTempFile("memquorum-memcached-", ".log");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create a log file for memcached", ex);
		}
		List<String> command = new ArrayList<>(List.of("sh", "-c", WATCHDOG_SCRIPT, "memquorum-memcached-watchdog",
				log.toString(), binary.toString()));
		command.addAll(arguments);
		Process wrapper;
		try {
			wrapper = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
		}
		catch (IOException ex) {
			deleteQuietly(log);
			throw new UncheckedIOException("Could not start 'sh' to run memcached", ex);
		}
		String firstLine;
		try (BufferedReader output = new BufferedReader(
				new InputStreamReader(wrapper.getInputStream(), StandardCharsets.US_ASCII))) {
			firstLine = output.readLine();
		}
		catch (IOException ex) {
			firstLine = null;
		}
		long pid;
		try {
			pid = Long.parseLong((firstLine != null) ? firstLine.trim() : "");
		}
		catch (NumberFormatException ex) {
			String output = read(log);
			closeLifeline(wrapper);
			wrapper.destroyForcibly();
			deleteQuietly(log);
			throw new IllegalStateException(
					"Could not start " + binary + ": the watchdog shell did not report a pid" + describeOutput(output));
		}
		MemcachedProcess process = new MemcachedProcess(wrapper, pid, ProcessHandle.of(pid).orElse(null), log);
		live.add(process);
		return process;
	}

	long pid() {
		return this.pid;
	}

	boolean isAlive() {
		return !this.destroyed.get() && this.wrapper.isAlive() && this.handle != null && this.handle.isAlive();
	}

	/**
	 * Return memcached's exit status, once the process is gone.
	 * @return the exit status, or empty while the process is alive
	 */
	Optional<Integer> exitStatus() {
		return this.wrapper.isAlive() ? Optional.empty() : Optional.of(this.wrapper.exitValue());
	}

	/**
	 * Return the tail of what memcached wrote to its standard output and error.
	 * @return the output, possibly empty
	 */
	String output() {
		return read(this.log);
	}

	/**
	 * Send a signal, such as {@code STOP} or {@code CONT}, by name.
	 * @param signal the signal name without the {@code SIG} prefix
	 */
	void signal(String signal) {
		if (!isAlive()) {
			throw new IllegalStateException("memcached pid " + this.pid + " is not running");
		}
		// The shell's builtin kill is used because a kill executable is not always
		// installed, and Java has no API for signals other than TERM and KILL.
		ProcessBuilder builder = new ProcessBuilder("sh", "-c", "kill -" + signal + " \"$1\"", "memquorum-signal",
				Long.toString(this.pid))
			.redirectErrorStream(true);
		try {
			Process kill = builder.start();
			kill.getOutputStream().close();
			String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			if (!kill.waitFor(10, TimeUnit.SECONDS)) {
				kill.destroyForcibly();
				throw new IllegalStateException("'kill -" + signal + " " + this.pid + "' did not finish");
			}
			if (kill.exitValue() != 0) {
				throw new IllegalStateException("'kill -" + signal + " " + this.pid + "' failed with status "
						+ kill.exitValue() + ": " + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not send SIG" + signal + " to memcached pid " + this.pid, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while sending SIG" + signal + " to memcached", ex);
		}
	}

	/**
	 * Wait until the kernel reports the process as stopped or no longer stopped, so that
	 * a pause is in effect when {@link MemcachedNode#pause()} returns. Only Linux exposes
	 * this through {@code /proc}; elsewhere the signal is trusted.
	 * @param stopped whether to wait for the stopped state or for leaving it
	 * @param timeout how long to wait
	 */
	void awaitStopped(boolean stopped, Duration timeout) {
		Path stat = Path.of("/proc", Long.toString(this.pid), "stat");
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			String content;
			try {
				content = Files.readString(stat, StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				return;
			}
			int afterName = content.lastIndexOf(')');
			if (afterName < 0 || afterName + 2 >= content.length()) {
				return;
			}
			char state = content.charAt(afterName + 2);
			boolean isStopped = state == 'T' || state == 't';
			if (isStopped == stopped) {
				return;
			}
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException(
						"memcached pid " + this.pid + " did not become " + (stopped ? "stopped" : "runnable")
								+ " within " + timeout.toMillis() + " ms (state " + state + ")");
			}
			Waits.pause(5);
		}
	}

	/**
	 * Kill memcached with SIGKILL and return once it is gone. Safe to call more than once
	 * and after the process has exited on its own.
	 * @param timeout how long to wait for the process to disappear
	 */
	void kill(Duration timeout) {
		destroy();
		try {
			if (!this.wrapper.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException(
						"memcached pid " + this.pid + " was still running " + timeout.toMillis() + " ms after SIGKILL");
			}
			awaitHandleGone(timeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for memcached pid " + this.pid + " to die", ex);
		}
		finally {
			if (!this.wrapper.isAlive()) {
				deleteQuietly(this.log);
			}
		}
	}

	/**
	 * The wrapper shell exits as soon as it has reaped memcached, but memcached may
	 * outlive it if someone killed the shell directly.
	 */
	private void awaitHandleGone(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (this.handle != null && this.handle.isAlive()) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException(
						"memcached pid " + this.pid + " was still running " + timeout.toMillis() + " ms after SIGKILL");
			}
			Waits.pause(5);
		}
	}

	/**
	 * Send SIGKILL and cut the lifeline without waiting, which is all a shutdown hook has
	 * time for.
	 */
	private void destroy() {
		if (this.destroyed.compareAndSet(false, true)) {
			live.remove(this);
			if (this.handle != null) {
				// ProcessHandle compares the start time too, so a recycled pid is safe.
				this.handle.destroyForcibly();
			}
			closeLifeline(this.wrapper);
		}
	}

	private static void destroyAll() {
		for (MemcachedProcess process : live) {
			try {
				process.destroy();
			}
			catch (RuntimeException ex) {
				// Keep going so that one failure does not leave the other processes
				// behind.
			}
		}
	}

	private static void closeLifeline(Process wrapper) {
		try {
			OutputStream lifeline = wrapper.getOutputStream();
			lifeline.close();
		}
		catch (IOException ex) {
			// The watchdog has already gone, which is what closing the pipe is for.
		}
	}

	private static String read(Path log) {
		try {
			String content = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
			return (content.length() > MAX_OUTPUT_CHARACTERS)
					? "..." + content.substring(content.length() - MAX_OUTPUT_CHARACTERS) : content;
		}
		catch (IOException | RuntimeException ex) {
			return "";
		}
	}

	static String describeOutput(String output) {
		String trimmed = output.strip();
		return trimmed.isEmpty() ? " (memcached printed nothing)" : ". memcached said:\n" + trimmed;
	}

	private static void deleteQuietly(Path path) {
		try {
			Files.deleteIfExists(path);
		}
		catch (IOException ex) {
			// A leftover temporary log file is harmless.
		}
	}

	@Override
	public String toString() {
		return "memcached pid " + this.pid;
	}

}
