package io.memquorum.refill;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.memquorum.node.NodeAddress;
import io.memquorum.placement.Placement;
import io.memquorum.signing.Digests;
import org.jspecify.annotations.Nullable;

/**
 * The item that says a node is complete: stored on that node only, under
 * {@code prefix + "#m:complete"}, with no expiry and client flags 0, once a refill copied
 * everything its peers hold for it.
 *
 * <p>
 * Because the marker lives on the node it describes, it vanishes with the node's
 * incarnation: a restarted, replaced or flushed node has none, and neither has a node
 * that was never filled. Any application instance, including one started after the
 * restart, sees that without having watched it. An evicted marker costs one harmless
 * extra refill.
 *
 * <p>
 * Its value is ASCII: {@code memquorum-complete placements=<fp>[,<fp>...] at=<epoch ms>}.
 * A placement fingerprint names the node list and replication factor the node was filled
 * for; a node is complete for an instance only if the marker lists that instance's
 * fingerprint. Several are kept (the newest {@link #MAX_FINGERPRINTS}) so that instances
 * with old and new node lists during a rollout do not refill the node in turn forever.
 */
final class RefillMarker {

	/** The marker's name under the key prefix. */
	static final String NAME = "complete";

	static final int MAX_FINGERPRINTS = 4;

	private static final String HEADER = "memquorum-complete";

	private static final int MAX_VALUE_BYTES = 1024;

	private RefillMarker() {
	}

	/**
	 * The fingerprint of a placement: the first 8 bytes of SHA-256 over the replication
	 * factor and the node list, in hex.
	 * @param placement the placement
	 * @return 16 hex digits
	 */
	static String fingerprint(Placement placement) {
		StringBuilder text = new StringBuilder("r=").append(placement.replicationFactor());
		for (NodeAddress node : placement.nodes()) {
			text.append(';').append(node);
		}
		byte[] digest = Digests.sha256().digest(text.toString().getBytes(StandardCharsets.UTF_8));
		return HexFormat.of().formatHex(digest, 0, 8);
	}

	static byte[] encode(Set<String> fingerprints, long completedAtMillis) {
		return (HEADER + " placements=" + String.join(",", fingerprints) + " at=" + completedAtMillis)
			.getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * Read a marker's value; anything unexpected reads as no marker.
	 * @param value the stored bytes, untrusted
	 * @return the marker, or {@code null}
	 */
	static @Nullable Contents decode(byte @Nullable [] value) {
		if (value == null || value.length > MAX_VALUE_BYTES) {
			return null;
		}
		String text = new String(value, StandardCharsets.US_ASCII);
		String[] fields = text.split(" ");
		if (fields.length != 3 || !fields[0].equals(HEADER) || !fields[1].startsWith("placements=")
				|| !fields[2].startsWith("at=")) {
			return null;
		}
		Set<String> fingerprints = new LinkedHashSet<>();
		for (String fingerprint : fields[1].substring("placements=".length()).split(",")) {
			if (fingerprint.matches("[0-9a-f]{16}")) {
				fingerprints.add(fingerprint);
			}
		}
		try {
			return new Contents(fingerprints, Long.parseLong(fields[2].substring(3)));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * The fingerprints to store after a refill for {@code fingerprint}: it, plus the
	 * newest others already listed.
	 */
	static Set<String> withFingerprint(@Nullable Contents existing, String fingerprint) {
		List<String> kept = new ArrayList<>();
		if (existing != null) {
			for (String other : existing.fingerprints()) {
				if (!other.equals(fingerprint)) {
					kept.add(other);
				}
			}
		}
		Set<String> result = new LinkedHashSet<>(
				kept.subList(Math.max(0, kept.size() - (MAX_FINGERPRINTS - 1)), kept.size()));
		result.add(fingerprint);
		return result;
	}

	/**
	 * A marker as read.
	 *
	 * @param fingerprints the placements the node was filled for, oldest first
	 * @param completedAtMillis when the last refill completed
	 */
	record Contents(Set<String> fingerprints, long completedAtMillis) {

		boolean covers(String fingerprint) {
			return this.fingerprints.contains(fingerprint);
		}

	}

}
