package io.memquorum.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that memcached processes do not outlive the JVM that started them, however that
 * JVM ends. Each test starts a node in a separate JVM.
 */
class JvmDeathCleanupTests {

	private final List<Process> jvms = new ArrayList<>();

	@AfterEach
	void killJvms() throws InterruptedException {
		for (Process jvm : this.jvms) {
			jvm.destroyForcibly();
			jvm.waitFor(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void theWatchdogKillsMemcachedWhenTheJvmIsKilled() throws Exception {
		Process jvm = startNodeInAnotherJvm();
		long pid = readMemcachedPid(jvm);
		assertThat(isAlive(pid)).isTrue();
		// SIGKILL gives the JVM no chance to run its shutdown hooks.
		jvm.destroyForcibly();
		assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> !isAlive(pid));
	}

	@Test
	void memcachedIsKilledWhenTheJvmExitsNormally() throws Exception {
		Process jvm = startNodeInAnotherJvm();
		long pid = readMemcachedPid(jvm);
		assertThat(isAlive(pid)).isTrue();
		jvm.getOutputStream().close();
		assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
		assertThat(jvm.exitValue()).isZero();
		await().atMost(Duration.ofSeconds(10)).until(() -> !isAlive(pid));
	}

	private Process startNodeInAnotherJvm() throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process jvm = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
				System.getProperty("java.class.path"), NodeInAnotherJvm.class.getName())
			.redirectErrorStream(true)
			.start();
		this.jvms.add(jvm);
		return jvm;
	}

	private static long readMemcachedPid(Process jvm) throws Exception {
		BufferedReader output = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
		CompletableFuture<Long> pid = CompletableFuture.supplyAsync(() -> {
			StringBuilder seen = new StringBuilder();
			try {
				for (String line = output.readLine(); line != null; line = output.readLine()) {
					if (line.startsWith(NodeInAnotherJvm.PID_PREFIX)) {
						return Long.parseLong(line.substring(NodeInAnotherJvm.PID_PREFIX.length()));
					}
					seen.append(line).append('\n');
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			throw new IllegalStateException("The other JVM exited without starting memcached:\n" + seen);
		});
		return pid.get(30, TimeUnit.SECONDS);
	}

	private static boolean isAlive(long pid) {
		return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
	}

}
