package io.memquorum.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import io.memquorum.refill.RefillStatus;
import io.memquorum.refill.RefillTesting;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Kubernetes readiness check shipped in {@code docs/kubernetes/memquorum-ready.sh},
 * run against real memcached: not ready before a refill, ready after it, not ready again
 * after a restart.
 */
class ReadinessScriptTests {

	private static final Path SCRIPT = Path.of("..", "docs", "kubernetes", "memquorum-ready.sh");

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, RefillTesting::fast);

	@Test
	void aPodIsNotReadyBeforeItsRefillAndReadyAfterItAndNotReadyAgainAfterARestart() throws Exception {
		assertThat(SCRIPT).exists();
		MemcachedNode pod = memcached.cluster().node(1);
		assertThat(ready(pod, "shop:")).as("ready before any refill").isFalse();

		ReplicatedMemcached engine = this.engines.open((builder) -> builder.keyPrefix("shop:"));
		RefillTesting.awaitEveryNodeComplete(engine, Instant.EPOCH);
		await().atMost(RefillTesting.SETTLE).until(() -> ready(pod, "shop:"));
		assertThat(ready(pod, "")).as("ready for another key prefix").isFalse();

		engine.close();
		pod.restartEmpty();
		assertThat(ready(pod, "shop:")).as("ready after a restart, before its refill").isFalse();
		ReplicatedMemcached next = this.engines.open((builder) -> builder.keyPrefix("shop:"));
		await().atMost(RefillTesting.SETTLE).until(() -> ready(pod, "shop:"));
		assertThat(RefillTesting.refillOf(next, pod.address()).phase()).isEqualTo(RefillStatus.Phase.COMPLETE);
	}

	@Test
	void aStoppedMemcachedOrAHostilePrefixIsNotReady() throws Exception {
		MemcachedNode pod = memcached.cluster().node(2);
		assertThat(ready(pod, "has space")).isFalse();
		pod.kill();
		assertThat(ready(pod, "")).isFalse();
	}

	private static boolean ready(MemcachedNode pod, String prefix) throws IOException, InterruptedException {
		ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString());
		builder.environment().put("MEMCACHED_HOST", pod.host());
		builder.environment().put("MEMCACHED_PORT", Integer.toString(pod.port()));
		builder.environment().put("MEMQUORUM_KEY_PREFIX", prefix);
		builder.redirectErrorStream(true);
		Process process = builder.start();
		assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("the script finished").isTrue();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		int exit = process.exitValue();
		assertThat(exit).as("exit code, output: %s", output).isIn(0, 1);
		return exit == 0;
	}

}
