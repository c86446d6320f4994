package io.memquorum.refill;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import io.memquorum.node.NodeAddress;
import io.memquorum.placement.Placement;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RefillMarkerTests {

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
		byte[] value = RefillMarker.encode(Set.of("0123456789abcdef"), 1_700_000_000_000L);
		assertThat(new String(value, StandardCharsets.US_ASCII))
			.isEqualTo("memquorum-complete placements=0123456789abcdef at=1700000000000");
		RefillMarker.Contents contents = RefillMarker.decode(value);
		assertThat(contents).isNotNull();
		assertThat(contents.covers("0123456789abcdef")).isTrue();
		assertThat(contents.covers("fedcba9876543210")).isFalse();
		assertThat(contents.completedAtMillis()).isEqualTo(1_700_000_000_000L);
	}

	@Test
	void hostileOrForeignBytesReadAsNoMarker() {
		assertThat(RefillMarker.decode(null)).isNull();
		assertThat(RefillMarker.decode(new byte[] { 0, 1, 2, (byte) 0xff })).isNull();
		assertThat(RefillMarker.decode(bytes("memquorum-complete placements=x at=soon"))).isNull();
		assertThat(RefillMarker.decode(bytes("memquorum-complete placements=abc"))).isNull();
		assertThat(RefillMarker.decode(bytes("x".repeat(100_000)))).isNull();
		RefillMarker.Contents junkFingerprints = RefillMarker.decode(bytes("memquorum-complete placements=ZZ,, at=5"));
		assertThat(junkFingerprints).isNotNull();
		assertThat(junkFingerprints.fingerprints()).isEmpty();
	}

	@Test
	void aRefillForANewNodeListKeepsTheNewestOtherFingerprintsSoARolloutDoesNotPingPong() {
		RefillMarker.Contents old = RefillMarker.decode(bytes(
				"memquorum-complete placements=0000000000000001,0000000000000002,0000000000000003,0000000000000004 at=1"));
		Set<String> next = RefillMarker.withFingerprint(old, "0000000000000005");
		assertThat(next).containsExactly("0000000000000002", "0000000000000003", "0000000000000004",
				"0000000000000005");
		assertThat(RefillMarker.withFingerprint(null, "0000000000000005")).containsExactly("0000000000000005");
		assertThat(RefillMarker.withFingerprint(old, "0000000000000002")).containsExactly("0000000000000001",
				"0000000000000003", "0000000000000004", "0000000000000002");
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
