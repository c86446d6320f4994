package io.memquorum.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.memquorum.node.NodeCredentials;
import io.memquorum.node.NodeIncarnation;
import io.memquorum.refill.RefillStatus;
import io.memquorum.refill.RefillTesting;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.LineSigner;
import io.memquorum.signing.SigningKeys;
import io.memquorum.test.MemcachedCluster;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.MemcachedOptions;
import org.jspecify.annotations.Nullable;
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

	private static final String SECRET = "c2lnbmluZy1zZWNyZXQtb2YtdGhpcnR5LXR3by1ieXRlcyE=";

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

	@Test
	void withTheMarkerKeyOnlyTheApplicationsSignedMarkerForThisProcessIsReadyNotAForgedOrCopiedOne() throws Exception {
		String derived = run(List.of("derive-marker-key"), Map.of(), SECRET + "\n").trim();
		assertThat(derived).as("the script derives the key as the application does")
			.isEqualTo(HexFormat.of().formatHex(SigningKeys.of(List.of(SECRET)).derive(0, LineSigner.MARKER, 32)));
		EntrySigner signer = new EntrySigner(SigningKeys.of(List.of(SECRET)));
		ReplicatedMemcached engine = this.engines.open((builder) -> builder.keyPrefix("shop:").signer(signer));
		RefillTesting.awaitEveryNodeComplete(engine, Instant.EPOCH);
		MemcachedNode pod = memcached.cluster().node(1);
		await().atMost(RefillTesting.SETTLE).until(() -> ready(pod, "shop:", derived));
		assertThat(ready(pod, "shop:", "0".repeat(64))).as("ready under another key").isFalse();
		engine.close();

		byte[] peersMarker = memcached.cluster().node(0).rawGet("shop:#m:complete");
		pod.rawSet("shop:#m:complete", peersMarker, 0, 0);
		assertThat(ready(pod, "shop:", derived)).as("ready with a peer's signed marker").isFalse();

		NodeIncarnation life = NodeIncarnation.of(pod.stats());
		String forged = "memquorum-complete node=" + pod.address() + " pid=" + life.pid() + " started="
				+ life.startedAtSeconds() + " placements=0123456789abcdef at=0";
		pod.rawSet("shop:#m:complete", forged.getBytes(StandardCharsets.US_ASCII), 0, 0);
		assertThat(ready(pod, "shop:", derived)).as("ready with a forged plain marker").isFalse();
		assertThat(ready(pod, "shop:")).as("without the marker key the script trusts whoever can write").isTrue();
	}

	@Test
	void onAnAuthenticatedMemcachedThePodIsReadyAfterItsRefillWithTheLoginAndNotWithAWrongPassword() throws Exception {
		try (MemcachedCluster cluster = MemcachedCluster.start(3,
				MemcachedOptions.defaults().withCredentials("shop", "s3cret-pass"))) {
			MemcachedNode pod = cluster.node(1);
			Map<String, String> login = Map.of("MEMCACHED_USERNAME", "shop", "MEMCACHED_PASSWORD", "s3cret-pass");
			assertThat(ready(pod, "shop:", null, login)).as("ready before any refill").isFalse();
			ReplicatedMemcached engine = RefillTesting
				.fast(ReplicatedMemcached.builder()
					.servers(cluster.addresses())
					.keyPrefix("shop:")
					.credentials(new NodeCredentials("shop", "s3cret-pass")))
				.build();
			try {
				RefillTesting.awaitEveryNodeComplete(engine, Instant.EPOCH);
				await().atMost(RefillTesting.SETTLE).until(() -> ready(pod, "shop:", null, login));
				assertThat(ready(pod, "shop:", null, Map.of())).as("ready without the login").isFalse();
				assertThat(ready(pod, "shop:", null,
						Map.of("MEMCACHED_USERNAME", "shop", "MEMCACHED_PASSWORD", "wrong-pass")))
					.as("ready with a wrong password")
					.isFalse();
			}
			finally {
				engine.close();
			}
		}
	}

	private static boolean ready(MemcachedNode pod, String prefix) throws IOException, InterruptedException {
		return ready(pod, prefix, null);
	}

	private static boolean ready(MemcachedNode pod, String prefix, @Nullable String markerKey)
			throws IOException, InterruptedException {
		return ready(pod, prefix, markerKey, Map.of());
	}

	private static boolean ready(MemcachedNode pod, String prefix, @Nullable String markerKey,
			Map<String, String> environment) throws IOException, InterruptedException {
		ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString());
		builder.environment().putAll(environment);
		if (markerKey != null) {
			builder.environment().put("MEMQUORUM_MARKER_KEY", markerKey);
		}
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

	private static String run(List<String> arguments, Map<String, String> environment, String input)
			throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
		command.addAll(arguments);
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.environment().putAll(environment);
		Process process = builder.start();
		process.getOutputStream().write(input.getBytes(StandardCharsets.US_ASCII));
		process.getOutputStream().close();
		assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("the script finished").isTrue();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.exitValue()).as("exit code, output: %s", output).isZero();
		return output;
	}

}
