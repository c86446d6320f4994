package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import io.memquorum.metrics.MicrometerEngineMetrics;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.SigningKeys;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Engines with signing keys on three real memcached nodes. Fault: hostile bytes, written
 * by someone who can reach memcached but has no signing key.
 */
class SignedEntriesTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private static final String KEY_A = Base64.getEncoder().encodeToString(filled(1));

	private static final String KEY_B = Base64.getEncoder().encodeToString(filled(2));

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, (builder) -> builder.operationTimeout(Duration.ofSeconds(1))
		.metrics(new MicrometerEngineMetrics(this.registry)));

	private ReplicatedMemcached engine(String... keys) {
		EntrySigner signer = (keys.length > 0) ? new EntrySigner(SigningKeys.of(List.of(keys))) : null;
		return this.engines.open((builder) -> builder.signer(signer));
	}

	@Test
	void anInstanceWithTheSameKeyReadsWhatAnotherWroteAndEveryReplicaHoldsASignedEntry() {
		engine(KEY_A).set("greeting", bytes("hello"), Duration.ZERO);
		assertThat(engine(KEY_A).get("greeting")).asString(StandardCharsets.UTF_8).isEqualTo("hello");
		await().untilAsserted(() -> {
			for (MemcachedNode node : memcached.cluster().nodes()) {
				byte[] stored = node.rawGet("greeting");
				assertThat(stored).isNotNull();
				assertThat(stored[2]).as("format version").isEqualTo((byte) 2);
				assertThat(stored).hasSize(Envelope.HEADER_SIZE + 5 + EntrySigner.SIGNATURE_SIZE);
			}
		});
	}

	@Test
	void anInstanceWithAnotherKeyAcceptsNothingTheFirstWroteAndCountsWhy() {
		engine(KEY_A).set("balance", bytes("100"), Duration.ZERO);
		awaitOnEveryReplica("balance");
		assertThat(engine(KEY_B).get("balance")).isNull();
		assertThat(unreadable("bad-signature")).isPositive();
	}

	@Test
	void anUnsignedEnvelopeWrittenStraightIntoMemcachedReadsAsAMiss() {
		ReplicatedMemcached engine = engine(KEY_A);
		engine.set("role", bytes("user"), Duration.ZERO);
		awaitOnEveryReplica("role");
		byte[] forged = Envelope.value(Long.MAX_VALUE / 2, 0, bytes("admin")).encode();
		for (MemcachedNode node : memcached.cluster().nodes()) {
			node.rawSet("role", forged, Envelope.FLAGS, 0);
		}
		assertThat(engine.get("role")).isNull();
		assertThat(engine.get("role", ReadConsistency.MAJORITY)).isNull();
		assertThat(unreadable("unsigned")).isPositive();
	}

	@Test
	void aSignedEntryCopiedUnderAnotherKeyDoesNotVerify() {
		ReplicatedMemcached engine = engine(KEY_A);
		engine.set("alice-role", bytes("admin"), Duration.ZERO);
		engine.set("mallory-role", bytes("user"), Duration.ZERO);
		awaitOnEveryReplica("alice-role");
		awaitOnEveryReplica("mallory-role");
		for (MemcachedNode node : memcached.cluster().nodes()) {
			node.rawSet("mallory-role", node.rawGet("alice-role"), Envelope.FLAGS, 0);
		}
		assertThat(engine.get("mallory-role")).isNull();
		assertThat(unreadable("bad-signature")).isPositive();
	}

	@Test
	void tombstonesAreSignedTooAndADeleteIsSeenByAnotherInstance() {
		ReplicatedMemcached engine = engine(KEY_A);
		engine.set("gone", bytes("x"), Duration.ZERO);
		engine.delete("gone");
		await().untilAsserted(() -> {
			for (MemcachedNode node : memcached.cluster().nodes()) {
				byte[] stored = node.rawGet("gone");
				assertThat(stored).isNotNull();
				assertThat(stored[2]).isEqualTo((byte) 2);
				assertThat(stored[3]).as("kind: tombstone").isEqualTo((byte) 1);
			}
		});
		assertThat(engine(KEY_A).get("gone")).isNull();
		assertThat(unreadable("bad-signature") + unreadable("unsigned")).isZero();
	}

	@Test
	void keysRotateByRollingOutNewAndOldThenNew() {
		engine(KEY_A).set("rotating", bytes("v1"), Duration.ZERO);
		awaitOnEveryReplica("rotating");
		assertThat(engine(KEY_B, KEY_A).get("rotating")).asString(StandardCharsets.UTF_8).isEqualTo("v1");
		engine(KEY_B, KEY_A).set("rotated", bytes("v2"), Duration.ZERO);
		awaitOnEveryReplica("rotated");
		assertThat(engine(KEY_B).get("rotated")).asString(StandardCharsets.UTF_8).isEqualTo("v2");
		assertThat(engine(KEY_B).get("rotating")).as("written with the retired key").isNull();
	}

	@Test
	void anInstanceWithoutKeysReadsSignedEntriesAsMisses() {
		engine(KEY_A).set("signed", bytes("x"), Duration.ZERO);
		awaitOnEveryReplica("signed");
		assertThat(engine().get("signed")).isNull();
		assertThat(unreadable("signed-without-keys")).isPositive();
	}

	@Test
	void aNodeThatRestartedEmptyIsRefilledWithTheSignedEntriesItsPeersHold() {
		ReplicatedMemcached engine = engine(KEY_A);
		engine.set("kept", bytes("x"), Duration.ZERO);
		awaitOnEveryReplica("kept");
		MemcachedNode restarted = memcached.cluster().node(0);
		restarted.restartEmpty();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			byte[] copied = restarted.rawGet("kept");
			assertThat(copied).as("refilled").isNotNull();
			assertThat(copied[2]).as("still signed").isEqualTo((byte) 2);
		});
		assertThat(unreadable("bad-signature") + unreadable("unsigned")).isZero();
	}

	private void awaitOnEveryReplica(String key) {
		await().untilAsserted(
				() -> memcached.cluster().nodes().forEach((node) -> assertThat(node.rawGet(key)).isNotNull()));
	}

	private double unreadable(String reason) {
		return this.registry.find("memquorum.values.unreadable")
			.tag("reason", reason)
			.counters()
			.stream()
			.mapToDouble((counter) -> counter.count())
			.sum();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] filled(int value) {
		byte[] key = new byte[32];
		java.util.Arrays.fill(key, (byte) value);
		return key;
	}

}
