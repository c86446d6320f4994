package io.memquorum.refill;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeIncarnation;
import io.memquorum.placement.Placement;
import io.memquorum.signing.LineSigner;
import io.memquorum.signing.SigningKeys;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RefillMarkerTests {

	private static final String KEY = "shop:#m:complete";

	private static final NodeAddress NODE = NodeAddress.parse("127.0.0.1:1");

	private static final NodeIncarnation LIFE = new NodeIncarnation(42, 1_700_000_000L);

	private static final String SIGNING_SECRET = "c2lnbmluZy1zZWNyZXQtb2YtdGhpcnR5LXR3by1ieXRlcyE=";

	private static final List<NodeAddress> FIVE = List.of(NodeAddress.parse("127.0.0.1:1"),
			NodeAddress.parse("127.0.0.1:2"), NodeAddress.parse("127.0.0.1:3"), NodeAddress.parse("127.0.0.1:4"),
			NodeAddress.parse("127.0.0.1:5"));

	@Test
	void theFingerprintChangesWithTheNodeListAndTheReplicationFactorOnly() {
		String fingerprint = RefillMarker.fingerprint(Placement.of(FIVE, 3));
		assertThat(fingerprint).matches("[0-9a-f]{16}");
		assertThat(RefillMarker.fingerprint(Placement.of(FIVE, 3))).isEqualTo(fingerprint);
		assertThat(RefillMarker.fingerprint(Placement.of(FIVE, 2))).isNotEqualTo(fingerprint);
		assertThat(RefillMarker.fingerprint(Placement.of(FIVE.subList(0, 4), 3))).isNotEqualTo(fingerprint);
	}

	@Test
	void aMarkerRoundTripsAndCoversTheFingerprintsItLists() {
		byte[] value = RefillMarker.encode(KEY, NODE, LIFE, Set.of("0123456789abcdef"), 1_700_000_000_000L, null);
		assertThat(new String(value, StandardCharsets.US_ASCII)).isEqualTo(
				"memquorum-complete node=127.0.0.1:1 pid=42 started=1700000000 placements=0123456789abcdef at=1700000000000");
		RefillMarker.Contents contents = RefillMarker.read(value, KEY, NODE, LIFE, null).contents();
		assertThat(contents).isNotNull();
		assertThat(contents.covers("0123456789abcdef")).isTrue();
		assertThat(contents.covers("fedcba9876543210")).isFalse();
		assertThat(contents.completedAtMillis()).isEqualTo(1_700_000_000_000L);
	}

	@Test
	void aMarkerCountsOnlyForTheNodeAndTheMemcachedProcessItNames() {
		byte[] value = RefillMarker.encode(KEY, NODE, LIFE, Set.of("0123456789abcdef"), 1L, null);
		assertThat(RefillMarker.read(value, KEY, NODE, new NodeIncarnation(42, 1_700_000_001L), null).contents())
			.as("the same start time, read a second later")
			.isNotNull();
		assertThat(RefillMarker.read(value, KEY, NodeAddress.parse("127.0.0.1:2"), LIFE, null).rejection())
			.contains("another node");
		assertThat(RefillMarker.read(value, KEY, NODE, new NodeIncarnation(43, 1_700_000_000L), null).rejection())
			.contains("another memcached process");
		assertThat(RefillMarker.read(value, KEY, NODE, new NodeIncarnation(42, 1_700_000_100L), null).rejection())
			.contains("another memcached process");
	}

	@Test
	void withSigningKeysOnlyASignedMarkerCountsAndAPlainOneOrOneSignedForAnotherKeyDoesNot() {
		LineSigner signer = new LineSigner(SigningKeys.of(List.of(SIGNING_SECRET)), LineSigner.MARKER);
		byte[] signed = RefillMarker.encode(KEY, NODE, LIFE, Set.of("0123456789abcdef"), 1L, signer);
		assertThat(RefillMarker.read(signed, KEY, NODE, LIFE, signer).contents()).isNotNull();
		byte[] plain = RefillMarker.encode(KEY, NODE, LIFE, Set.of("0123456789abcdef"), 1L, null);
		assertThat(RefillMarker.read(plain, KEY, NODE, LIFE, signer).rejection()).contains("not signed");
		assertThat(RefillMarker.read(signed, "other:#m:complete", NODE, LIFE, signer).contents()).isNull();
		assertThat(RefillMarker.read(signed, KEY, NODE, LIFE, null).contents())
			.as("an instance without keys reads a signed marker")
			.isNotNull();
	}

	@Test
	void hostileOrForeignBytesReadAsNoMarker() {
		assertThat(RefillMarker.read(null, KEY, NODE, LIFE, null).rejection()).contains("no completeness marker");
		assertThat(read(new byte[] { 0, 1, 2, (byte) 0xff })).isNull();
		assertThat(read(bytes("memquorum-complete placements=0123456789abcdef at=1"))).as("an older memquorum's")
			.isNull();
		assertThat(read(bytes("memquorum-complete node=127.0.0.1:1 pid=42 started=soon placements=x at=1"))).isNull();
		assertThat(read(bytes("memquorum-complete node=127.0.0.1:1 pid=42 started=1700000000 placements=x at=soon")))
			.isNull();
		assertThat(read(bytes("x".repeat(100_000)))).isNull();
		RefillMarker.Contents junkFingerprints = read(
				bytes("memquorum-complete node=127.0.0.1:1 pid=42 started=1700000000 placements=ZZ,, at=5"));
		assertThat(junkFingerprints).isNotNull();
		assertThat(junkFingerprints.fingerprints()).isEmpty();
	}

	@Test
	void aRefillForANewNodeListKeepsTheNewestOtherFingerprintsSoARolloutDoesNotPingPong() {
		RefillMarker.Contents old = read(bytes("memquorum-complete node=127.0.0.1:1 pid=42 started=1700000000 "
				+ "placements=0000000000000001,0000000000000002,0000000000000003,0000000000000004 at=1"));
		Set<String> next = RefillMarker.withFingerprint(old, "0000000000000005");
		assertThat(next).containsExactly("0000000000000002", "0000000000000003", "0000000000000004",
				"0000000000000005");
		assertThat(RefillMarker.withFingerprint(null, "0000000000000005")).containsExactly("0000000000000005");
		assertThat(RefillMarker.withFingerprint(old, "0000000000000002")).containsExactly("0000000000000001",
				"0000000000000003", "0000000000000004", "0000000000000002");
	}

	private static RefillMarker.@Nullable Contents read(byte[] value) {
		return RefillMarker.read(value, KEY, NODE, LIFE, null).contents();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
