package io.memquorum.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
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
 * Fault: pause. One of three real memcached nodes is paused while users log out, and the
 * instance that logged them out goes away with the hints it held for that node, so the
 * node still holds every session when it resumes. What must hold: a principal lookup on
 * another instance, whose reads are FIRST_HIT, finds none of the logged-out sessions.
 * Each lookup would reach the stale replica first about one time in three (more often
 * once the index read lists the session); with {@value #USERS} users a lookup that reads
 * one replica passes by chance well under one time in a hundred.
 */
class PrincipalLookupAfterMissedLogoutTests {

	private static final int USERS = 24;

	private static final Duration SETTLE = Duration.ofSeconds(20);

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final List<ReplicatedMemcached> engines = new ArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(ReplicatedMemcached::close);
	}

	private ReplicatedMemcached engine() {
		ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.readConsistency(ReadConsistency.FIRST_HIT)
			.operationTimeout(Duration.ofMillis(300))
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(300))
			.build();
		this.engines.add(engine);
		return engine;
	}

	@Test
	void aPrincipalLookupDoesNotCountASessionThatAReplicaMissedTheLogoutOf() {
		ReplicatedMemcached loggingOut = engine();
		ReplicatedSessionRepository instanceA = new ReplicatedSessionRepository(loggingOut);
		List<String> ids = new ArrayList<>();
		for (int user = 0; user < USERS; user++) {
			ReplicatedSession session = instanceA.createSession();
			session.setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, "user-" + user);
			instanceA.save(session);
			ids.add(session.getId());
		}
		List<String> keys = ids.stream().map((id) -> loggingOut.keyEncoder().encode(instanceA.sessionKey(id))).toList();
		// Writes return at quorum: every replica holds every session before the pause.
		await().atMost(SETTLE).until(() -> keys.stream().allMatch((key) -> everyNodeHolds(key, false, false)));

		MemcachedNode stale = memcached.cluster().node(2);
		stale.pause();
		try {
			ids.forEach(instanceA::deleteById);
		}
		finally {
			// The instance goes away with the hints it kept for the paused node.
			loggingOut.close();
			stale.resume();
		}
		// Settle: two replicas hold each logout's tombstone, the resumed one still the
		// session.
		await().atMost(SETTLE).until(() -> keys.stream().allMatch((key) -> everyNodeHolds(key, true, true)));

		ReplicatedSessionRepository instanceB = new ReplicatedSessionRepository(engine());
		for (int user = 0; user < USERS; user++) {
			assertThat(instanceB.findByPrincipalName("user-" + user)).as("sessions of user-%d", user).isEmpty();
		}
	}

	/**
	 * Whether the first two nodes hold a tombstone ({@code tombstone}) or a value, and
	 * the third a value ({@code staleThird}) or the same as the first two.
	 */
	private static boolean everyNodeHolds(String key, boolean tombstone, boolean staleThird) {
		List<MemcachedNode> nodes = memcached.cluster().nodes();
		for (int n = 0; n < nodes.size(); n++) {
			boolean wantTombstone = tombstone && !(staleThird && n == 2);
			Envelope held = envelopeOn(nodes.get(n), key);
			if (held == null || (wantTombstone ? !held.isTombstone() : !held.isValue())) {
				return false;
			}
		}
		return true;
	}

	private static @Nullable Envelope envelopeOn(MemcachedNode node, String key) {
		byte[] raw = node.rawGet(key);
		return (raw != null) ? Envelope.decode(Envelope.FLAGS, raw) : null;
	}

}
