package io.memquorum.refill;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.TestEngines;
import io.memquorum.node.NodeIncarnation;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.SigningKeys;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.memquorum.refill.RefillTesting.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With signing keys set, a completeness marker that the application did not write for
 * this node and this memcached process does not keep a restarted node from its refill:
 * neither a plain one written with a raw client (hostile bytes), nor a peer's genuine
 * signed marker copied onto the node after its restart (restart empty).
 */
class SignedRefillMarkerTests {

	private static final String SECRET = "c2lnbmluZy1zZWNyZXQtb2YtdGhpcnR5LXR3by1ieXRlcyE=";

	private static final String MARKER = "shop:#m:complete";

	private static final int ENTRIES = 1_000;

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, RefillTesting::fast);

	private ReplicatedMemcached signedEngine() {
		EntrySigner signer = new EntrySigner(SigningKeys.of(List.of(SECRET)));
		return this.engines.open((builder) -> builder.keyPrefix("shop:").signer(signer));
	}

	/** Entries on every node, and every node marked complete by a signed engine. */
	private List<String> filledAndClosed() {
		ReplicatedMemcached engine = signedEngine();
		RefillTesting.awaitEveryNodeComplete(engine, Instant.EPOCH);
		RefillTesting.inBatches(ENTRIES, (i) -> engine.setAsync("entry:" + i, bytes("value " + i), Duration.ZERO));
		for (MemcachedNode node : memcached.cluster().nodes()) {
			await().atMost(RefillTesting.SETTLE).until(() -> node.currentItems() >= ENTRIES + 1);
		}
		engine.close();
		List<String> expected = new ArrayList<>();
		for (int i = 0; i < ENTRIES; i++) {
			expected.add(engine.keyEncoder().encode("entry:" + i));
		}
		return expected;
	}

	@Test
	void aForgedPlainMarkerNamingTheRightNodeAndProcessDoesNotStopTheRefill() {
		List<String> expected = filledAndClosed();
		MemcachedNode restarted = memcached.cluster().node(1);
		Instant restart = Instant.now();
		restarted.restartEmpty();
		NodeIncarnation life = NodeIncarnation.of(restarted.stats());
		assertThat(life).isNotNull();
		String forged = "memquorum-complete node=" + restarted.address() + " pid=" + life.pid() + " started="
				+ life.startedAtSeconds() + " placements=" + fingerprintOnAPeer() + " at=0";
		restarted.rawSet(MARKER, forged.getBytes(StandardCharsets.US_ASCII), 0, 0);

		ReplicatedMemcached engine = signedEngine();
		RefillTesting.awaitComplete(engine, restarted, restart);
		assertThat(RefillTesting.missingOn(restarted, expected)).isEmpty();
		assertThat(new String(restarted.rawGet(MARKER), StandardCharsets.US_ASCII)).contains(" sig=");
	}

	@Test
	void aPeersSignedMarkerCopiedOntoTheRestartedNodeDoesNotStopTheRefill() {
		List<String> expected = filledAndClosed();
		byte[] peersMarker = memcached.cluster().node(0).rawGet(MARKER);
		assertThat(peersMarker).isNotNull();
		assertThat(new String(peersMarker, StandardCharsets.US_ASCII)).contains(" sig=");
		MemcachedNode restarted = memcached.cluster().node(1);
		Instant restart = Instant.now();
		restarted.restartEmpty();
		restarted.rawSet(MARKER, peersMarker, 0, 0);

		ReplicatedMemcached engine = signedEngine();
		RefillTesting.awaitComplete(engine, restarted, restart);
		assertThat(RefillTesting.missingOn(restarted, expected)).isEmpty();
	}

	/** The placement fingerprint, as a genuine marker on a peer lists it. */
	private static String fingerprintOnAPeer() {
		String marker = new String(memcached.cluster().node(0).rawGet(MARKER), StandardCharsets.US_ASCII);
		return marker.replaceAll(".* placements=([0-9a-f,]+) .*", "$1");
	}

}
