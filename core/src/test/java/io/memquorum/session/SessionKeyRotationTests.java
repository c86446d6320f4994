package io.memquorum.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.IdCipher;
import io.memquorum.signing.SigningKeys;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fault: key change. The rotation {@code docs/security.md} describes, walked on three
 * real memcached nodes with one engine and repository per deployment, each built with its
 * own signing keys: {@code [old]}, then {@code [new, old]} while every user keeps working
 * (every session rewritten), then {@code [new]}. What must hold: every user is still
 * signed in, with every attribute, under {@code [new]}.
 */
class SessionKeyRotationTests {

	private static final int USERS = 6;

	private static final int ROUNDS = 3;

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final List<ReplicatedMemcached> engines = new ArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(ReplicatedMemcached::close);
	}

	@Test
	void sessionsSavedUnderNewAndOldKeysAreStillSignedInWhenOnlyTheNewKeyIsLeft() {
		String oldKey = secret(1);
		String newKey = secret(2);

		ReplicatedSessionRepository first = deployment(oldKey);
		List<String> ids = new ArrayList<>();
		for (int user = 0; user < USERS; user++) {
			ReplicatedSession session = first.createSession();
			session.setAttribute("user", "user-" + user);
			first.save(session);
			ids.add(session.getId());
		}

		// Every instance runs [new, old]; each user makes three requests that change the
		// session (18 saves).
		ReplicatedSessionRepository second = deployment(newKey, oldKey);
		for (int round = 1; round <= ROUNDS; round++) {
			for (String id : ids) {
				ReplicatedSession session = second.findById(id);
				assertThat(session).as("session under [new, old]").isNotNull();
				session.setAttribute("clicks", round);
				second.save(session);
			}
		}
		// Writes return at quorum: wait until every replica holds the last save before
		// the next deployment reads any replica.
		awaitEveryReplicaHolds(second, this.engines.get(1), ids, new EntrySigner(keys(newKey, oldKey)), ROUNDS);

		ReplicatedSessionRepository third = deployment(newKey);
		for (int user = 0; user < USERS; user++) {
			ReplicatedSession session = third.findById(ids.get(user));
			assertThat(session).as("user %d under [new]", user).isNotNull();
			assertThat(session.<String>getAttribute("user")).isEqualTo("user-" + user);
			assertThat(session.<Integer>getAttribute("clicks")).isEqualTo(ROUNDS);
		}
	}

	@Test
	void withOldNewFirstNoInstanceOfTheRolloutLosesASessionAndNewAloneReadsThemAll() {
		String oldKey = secret(1);
		String newKey = secret(2);
		ReplicatedSessionRepository first = deployment(oldKey);
		List<String> ids = new ArrayList<>();
		for (int user = 0; user < USERS; user++) {
			ReplicatedSession session = first.createSession();
			session.setAttribute("user", "user-" + user);
			first.save(session);
			ids.add(session.getId());
		}
		// Mid-rollout of [new, old]: instances on [old, new] and on [new, old] serve the
		// same users in turn, and each reads what the other wrote.
		ReplicatedSessionRepository accepting = deployment(oldKey, newKey);
		ReplicatedSessionRepository signing = deployment(newKey, oldKey);
		for (int round = 1; round <= ROUNDS; round++) {
			ReplicatedSessionRepository instance = (round % 2 == 1) ? signing : accepting;
			for (String id : ids) {
				ReplicatedSession session = instance.findById(id);
				assertThat(session).as("session in round %d", round).isNotNull();
				session.setAttribute("clicks", round);
				instance.save(session);
			}
		}
		// The rollout is complete: the users' next requests reach [new, old] only.
		for (String id : ids) {
			ReplicatedSession session = signing.findById(id);
			session.setAttribute("clicks", ROUNDS + 1);
			signing.save(session);
		}
		awaitEveryReplicaHolds(signing, this.engines.get(2), ids, new EntrySigner(keys(newKey, oldKey)), ROUNDS + 1);

		ReplicatedSessionRepository last = deployment(newKey);
		for (int user = 0; user < USERS; user++) {
			ReplicatedSession session = last.findById(ids.get(user));
			assertThat(session).as("user %d under [new]", user).isNotNull();
			assertThat(session.<Integer>getAttribute("clicks")).isEqualTo(ROUNDS + 1);
		}
	}

	private static void awaitEveryReplicaHolds(ReplicatedSessionRepository repository, ReplicatedMemcached engine,
			List<String> ids, EntrySigner signer, int clicks) {
		for (String id : ids) {
			String key = engine.keyEncoder().encode(repository.sessionKey(id));
			await().untilAsserted(() -> {
				for (MemcachedNode node : memcached.cluster().nodes()) {
					StoredSession stored = storedOn(node, key, signer);
					assertThat(stored).as("session on %s", node).isNotNull();
					assertThat(stored.liveAttributes()).as("session on %s", node).containsKey("clicks");
					assertThat(repository.getSerializer().deserialize(stored.liveAttributes().get("clicks")))
						.isEqualTo(clicks);
				}
			});
		}
	}

	@Test
	void aCopyStillHoldingTheOldSealingDoesNotWinAMergeUnderNewAndOld() {
		SessionIdSeal before = new SessionIdSeal(new IdCipher(keys(secret(1))));
		SessionIdSeal during = new SessionIdSeal(new IdCipher(keys(secret(2), secret(1))));
		byte[] oldSealing = before.seal("the-id");
		byte[] newSealing = during.seal("the-id");
		assertThat(during.preferred(oldSealing, newSealing)).isEqualTo(newSealing);
		assertThat(during.preferred(newSealing, oldSealing)).isEqualTo(newSealing);
		assertThat(during.isCurrent(oldSealing)).isFalse();
		assertThat(during.isCurrent(newSealing)).isTrue();
		// Where the engine copies between replicas (repair, hints, MAJORITY reads), in
		// either order.
		StoredSession oldCopy = StoredSession.withSealedId(oldSealing);
		oldCopy.creationTime.set(1, 1_000);
		oldCopy.lastAccessedTime.set(1, 1_000);
		oldCopy.maxInactiveSeconds.set(1, -1);
		StoredSession newCopy = oldCopy.copy();
		newCopy.sealedId = newSealing;
		newCopy.lastAccessedTime.set(2, 2_000);
		SessionEntryMerge merge = new SessionEntryMerge(() -> during);
		for (Envelope[] pair : new Envelope[][] { { value(oldCopy, 1), value(newCopy, 2) },
				{ value(newCopy, 2), value(oldCopy, 1) } }) {
			Envelope merged = merge.combine(pair[0], pair[1]);
			assertThat(StoredSession.decode(merged.payload()).sealedId).isEqualTo(newSealing);
		}
	}

	private static Envelope value(StoredSession session, long version) {
		return Envelope.value(version, 0, session.encode());
	}

	private ReplicatedSessionRepository deployment(String... secrets) {
		SigningKeys keys = keys(secrets);
		ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofSeconds(1))
			.signer(new EntrySigner(keys))
			.build();
		this.engines.add(engine);
		ReplicatedSessionRepository repository = new ReplicatedSessionRepository(engine);
		repository.setIdCipher(new IdCipher(keys));
		return repository;
	}

	private static StoredSession storedOn(MemcachedNode node, String key, EntrySigner signer) {
		byte[] raw = node.rawGet(key);
		Envelope envelope = (raw != null) ? Envelope.read(Envelope.FLAGS, raw, key, signer).envelope() : null;
		return (envelope != null && envelope.isValue()) ? StoredSession.decode(envelope.payload()) : null;
	}

	private static SigningKeys keys(String... secrets) {
		return SigningKeys.of(List.of(secrets));
	}

	private static String secret(int fill) {
		byte[] secret = new byte[32];
		Arrays.fill(secret, (byte) fill);
		return Base64.getEncoder().encodeToString(secret);
	}

}
