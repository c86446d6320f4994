package io.memquorum.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.NodeStatus;
import io.memquorum.refill.RefillStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAddress;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.session.FindByIndexNameSessionRepository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fault: restart empty (every node in turn, each one refilled completely before the next
 * one goes; or one node, looked up before its refill) while the user keeps signing in.
 * What must hold: every session stays listed under its principal name, on every replica,
 * and every lookup finds it, on three real memcached nodes.
 *
 * <p>
 * A sign-in that reaches a restarted node before its refill reaches the index item leaves
 * that node an index item of its own, listing only the new session (refill of a large
 * node takes minutes, so in production this is the common case). To pin that order, the
 * instance the users reach runs without refill, and a second instance, started once the
 * user signed in, refills the node.
 */
class PrincipalIndexRollingRestartTests {

	private static final Duration SETTLE = Duration.ofSeconds(30);

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final List<ReplicatedMemcached> open = new ArrayList<>();

	@AfterEach
	void close() {
		this.open.forEach(ReplicatedMemcached::close);
	}

	private ReplicatedMemcached engine(boolean refill) {
		// Fast failure detection and refill, so that three restarts take seconds.
		ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofMillis(500))
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(400))
			.restartCheckInterval(Duration.ofMillis(300))
			.reconnectInterval(Duration.ofMillis(200))
			.refillEnabled(refill)
			.refillEntriesPerSecond(200_000)
			.refillBytesPerSecond(1L << 30)
			.refillCheckInterval(Duration.ofMillis(300))
			.refillLeaseTtl(Duration.ofSeconds(10))
			.build();
		this.open.add(engine);
		return engine;
	}

	@Test
	void restartingEveryNodeEmptyInTurnWhileTheUserSignsInKeepsEverySessionListedUnderThePrincipalName() {
		ReplicatedMemcached serving = engine(false);
		ReplicatedSessionRepository repository = new ReplicatedSessionRepository(serving);
		List<String> alice = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			alice.add(signIn(repository, "alice"));
		}
		String bob = signIn(repository, "bob");
		String aliceIndex = serving.keyEncoder()
			.encode(repository.indexKey(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, "alice"));
		// Writes return at quorum: wait for the third replica before restarting anything.
		awaitListedOnEveryNode(aliceIndex, alice);

		List<MemcachedNode> nodes = memcached.cluster().nodes();
		for (int n = 0; n < nodes.size(); n++) {
			MemcachedNode node = nodes.get(n);
			int restarts = status(serving, n).restarts();
			Instant restartedAt = Instant.now();
			node.restartEmpty();
			int index = n;
			await().atMost(SETTLE).untilAsserted(() -> {
				NodeStatus status = status(serving, index);
				assertThat(status.restarts()).as("%s", status).isGreaterThan(restarts);
				assertThat(status.readable()).as("%s", status).isTrue();
			});
			alice.add(signIn(repository, "alice"));
			await().atMost(SETTLE).until(() -> entriesOn(node, aliceIndex) != null);

			ReplicatedMemcached refilling = engine(true);
			// Every instance of the application registers the session store's merges.
			new ReplicatedSessionRepository(refilling);
			awaitRefillComplete(refilling, node, restartedAt);
			refilling.close();
		}

		awaitListedOnEveryNode(aliceIndex, alice);
		Map<String, ReplicatedSession> found = repository.findByPrincipalName("alice");
		assertThat(found).containsOnlyKeys(alice);
		assertThat(repository.findByPrincipalName("bob")).containsOnlyKeys(bob);
	}

	@Test
	void aLookupWhileARestartedNodeWaitsForItsRefillFindsEverySessionAndRepairsTheNode() {
		ReplicatedMemcached serving = engine(false);
		ReplicatedSessionRepository repository = new ReplicatedSessionRepository(serving);
		List<String> alice = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			alice.add(signIn(repository, "alice"));
		}
		String aliceIndex = serving.keyEncoder()
			.encode(repository.indexKey(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, "alice"));
		awaitListedOnEveryNode(aliceIndex, alice);
		// Restart empty, one node, and a sign-in before any refill: the node holds an
		// index item listing only the new session.
		MemcachedNode restarted = memcached.cluster().node(1);
		int restarts = status(serving, 1).restarts();
		restarted.restartEmpty();
		await().atMost(SETTLE).untilAsserted(() -> {
			NodeStatus status = status(serving, 1);
			assertThat(status.restarts()).as("%s", status).isGreaterThan(restarts);
			assertThat(status.readable()).as("%s", status).isTrue();
		});
		alice.add(signIn(repository, "alice"));
		await().atMost(SETTLE).until(() -> entriesOn(restarted, aliceIndex) != null);

		assertThat(repository.findByPrincipalName("alice")).containsOnlyKeys(alice);
		// The lookup read a majority and repaired the node with the union.
		awaitListedOnEveryNode(aliceIndex, alice);
	}

	private static String signIn(ReplicatedSessionRepository repository, String principal) {
		ReplicatedSession anonymous = repository.createSession();
		anonymous.setAttribute("theme", "dark");
		repository.save(anonymous);
		// Signing in changes the session id and lists the session under the principal.
		ReplicatedSession session = repository.findById(anonymous.getId());
		session.changeSessionId();
		session.setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, principal);
		repository.save(session);
		return session.getId();
	}

	private static void awaitListedOnEveryNode(String indexKey, List<String> ids) {
		List<String> hashes = ids.stream().map(SessionKeys::sha256).toList();
		await().atMost(SETTLE).untilAsserted(() -> {
			for (MemcachedNode node : memcached.cluster().nodes()) {
				assertThat(entriesOn(node, indexKey)).as("index entries on %s", node)
					.isNotNull()
					.containsOnlyKeys(hashes);
			}
		});
	}

	/**
	 * The entries of an index item as one replica holds it, read straight from memcached.
	 */
	private static @Nullable Map<String, Long> entriesOn(MemcachedNode node, String indexKey) {
		byte[] raw = node.rawGet(indexKey);
		Envelope envelope = (raw != null) ? Envelope.decode(Envelope.FLAGS, raw) : null;
		return (envelope != null && envelope.isValue()) ? IndexEntries.decode(envelope.payload()).entries : null;
	}

	private static NodeStatus status(ReplicatedMemcached engine, int node) {
		return engine.nodeStatus().get(node);
	}

	private static void awaitRefillComplete(ReplicatedMemcached engine, MemcachedNode node, Instant since) {
		NodeAddress address = NodeAddress.parse(node.address());
		await().atMost(SETTLE).untilAsserted(() -> {
			RefillStatus status = engine.refillStatus()
				.stream()
				.filter((candidate) -> candidate.address().equals(address))
				.findFirst()
				.orElseThrow();
			assertThat(status.phase()).as("%s", status).isEqualTo(RefillStatus.Phase.COMPLETE);
			assertThat(status.completedAt()).as("%s", status).isAfter(since);
		});
	}

}
