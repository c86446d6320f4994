package io.memquorum.refill;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeIncarnation;
import io.memquorum.placement.Placement;
import io.memquorum.signing.Digests;
import io.memquorum.signing.LineSigner;
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
 * Its value is one ASCII line:
 * {@code memquorum-complete node=<address> pid=<pid> started=<unix s> placements=<fp>[,<fp>...] at=<epoch ms>},
 * followed by {@code " sig=<hex>"} ({@link LineSigner#MARKER}) when signing keys are set.
 * A placement fingerprint names the node list and replication factor the node was filled
 * for; a node is complete for an instance only if the marker lists that instance's
 * fingerprint. Several are kept (the newest {@link #MAX_FINGERPRINTS}) so that instances
 * with old and new node lists during a rollout do not refill the node in turn forever.
 *
 * <h2>Trust</h2> A marker counts only for the node and the memcached process it names
 * ({@link NodeIncarnation}: the process id and start time that {@code stats} reports
 * now), so one copied from a peer or left from the node's previous life does not stop a
 * refill. With signing keys set it also counts only when its signature verifies, so one
 * written by anyone without the keys does not either. The readiness script in
 * {@code docs/kubernetes/} checks the same fields and, given the marker key, the same
 * signature.
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

	/**
	 * The fingerprint of a change of placement: a node filled for it holds what the new
	 * placement gives it, copied from the owners under both. It differs from the new
	 * placement's own fingerprint, which a node may still carry from an earlier time the
	 * same node list was in force (3 nodes, then 5, then the same 3 again): that marker
	 * says nothing about the writes that went only to the nodes now leaving.
	 * @param from the placement before the change
	 * @param to the placement after it
	 * @return 16 hex digits
	 */
	static String transition(Placement from, Placement to) {
		String text = "from=" + fingerprint(from) + ";to=" + fingerprint(to);
		byte[] digest = Digests.sha256().digest(text.getBytes(StandardCharsets.UTF_8));
		return HexFormat.of().formatHex(digest, 0, 8);
	}

	/**
	 * The marker to store on a node.
	 * @param memcachedKey the marker's key, which the signature covers
	 * @param node the node it is stored on
	 * @param incarnation the node's process life that was filled
	 * @param fingerprints the placements it was filled for
	 * @param completedAtMillis when
	 * @param signer signs the line when signing keys are set, or {@code null}
	 * @return the value
	 */
	static byte[] encode(String memcachedKey, NodeAddress node, NodeIncarnation incarnation, Set<String> fingerprints,
			long completedAtMillis, @Nullable LineSigner signer) {
		String line = HEADER + " node=" + node + " pid=" + incarnation.pid() + " started="
				+ incarnation.startedAtSeconds() + " placements=" + String.join(",", fingerprints) + " at="
				+ completedAtMillis;
		return ((signer != null) ? signer.sign(memcachedKey, line) : line).getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * Read a node's marker and judge whether it counts; anything unexpected reads as no
	 * marker.
	 * @param value the stored bytes, untrusted, or {@code null} when there are none
	 * @param memcachedKey the key they were read from
	 * @param node the node they were read from
	 * @param incarnation the node's process life now
	 * @param signer verifies the signature when signing keys are set, or {@code null}
	 * @return the marker if it counts, else why not
	 */
	static Reading read(byte @Nullable [] value, String memcachedKey, NodeAddress node, NodeIncarnation incarnation,
			@Nullable LineSigner signer) {
		if (value == null) {
			return Reading.rejected("it has no completeness marker");
		}
		if (value.length > MAX_VALUE_BYTES) {
			return Reading.rejected("its completeness marker is unreadable");
		}
		String text = new String(value, StandardCharsets.US_ASCII);
		String line;
		if (signer != null) {
			line = signer.verified(memcachedKey, text);
			if (line == null) {
				return Reading.rejected("its completeness marker is not signed by this application's keys");
			}
		}
		else {
			int signature = text.lastIndexOf(" sig=");
			line = (signature >= 0) ? text.substring(0, signature) : text;
		}
		Contents contents = decode(line);
		if (contents == null) {
			return Reading.rejected("its completeness marker is unreadable");
		}
		if (!contents.node().equals(node.toString())) {
			return Reading.rejected("its completeness marker was written for another node ("
					+ printable(contents.node()) + "), so it was copied");
		}
		if (!contents.incarnation().isSameAs(incarnation)) {
			return Reading
				.rejected("its completeness marker was written for another memcached process (restarted, or copied)");
		}
		return new Reading(contents, null);
	}

	/**
	 * Read a marker's line, without its signature.
	 * @param line the text, untrusted
	 * @return the marker, or {@code null}
	 */
	static @Nullable Contents decode(String line) {
		String[] fields = line.split(" ");
		if (fields.length != 6 || !fields[0].equals(HEADER) || !fields[1].startsWith("node=")
				|| !fields[2].startsWith("pid=") || !fields[3].startsWith("started=")
				|| !fields[4].startsWith("placements=") || !fields[5].startsWith("at=")) {
			return null;
		}
		Set<String> fingerprints = new LinkedHashSet<>();
		for (String fingerprint : fields[4].substring("placements=".length()).split(",")) {
			if (fingerprint.matches("[0-9a-f]{16}")) {
				fingerprints.add(fingerprint);
			}
		}
		try {
			NodeIncarnation incarnation = new NodeIncarnation(Long.parseLong(fields[2].substring(4)),
					Long.parseLong(fields[3].substring(8)));
			return new Contents(fields[1].substring(5), incarnation, fingerprints,
					Long.parseLong(fields[5].substring(3)));
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

	private static String printable(String text) {
		return text.replaceAll("[^!-~]", "?").substring(0, Math.min(text.length(), 100));
	}

	/**
	 * A marker as read.
	 *
	 * @param node the node it names, as written
	 * @param incarnation the memcached process life it names
	 * @param fingerprints the placements the node was filled for, oldest first
	 * @param completedAtMillis when the last refill completed
	 */
	record Contents(String node, NodeIncarnation incarnation, Set<String> fingerprints, long completedAtMillis) {

		boolean covers(String fingerprint) {
			return this.fingerprints.contains(fingerprint);
		}

	}

	/**
	 * A node's marker, judged.
	 *
	 * @param contents the marker, when it counts
	 * @param rejection why there is none that counts, when there is none
	 */
	record Reading(@Nullable Contents contents, @Nullable String rejection) {

		static Reading rejected(String why) {
			return new Reading(null, why);
		}

	}

}
