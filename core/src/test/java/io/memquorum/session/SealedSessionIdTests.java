package io.memquorum.session;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.IdCipher;
import io.memquorum.signing.SigningKeys;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.session.FindByIndexNameSessionRepository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With signing keys, nobody who reads memcached finds a live session id: not in keys
 * (hashed), not in index entries (hashed), not in the stored session (sealed).
 */
class SealedSessionIdTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final List<ReplicatedMemcached> engines = new ArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(ReplicatedMemcached::close);
	}

	private ReplicatedSessionRepository repository(byte[] secret) {
		return repository(secret, false);
	}

	private ReplicatedSessionRepository repository(byte[] secret, boolean signEntries) {
		SigningKeys keys = SigningKeys.of(List.of(Base64.getEncoder().encodeToString(secret)));
		ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofSeconds(1))
			.signer(signEntries ? new EntrySigner(keys) : null)
			.build();
		this.engines.add(engine);
		ReplicatedSessionRepository repository = new ReplicatedSessionRepository(engine);
		repository.setIdCipher(new IdCipher(keys));
		return repository;
	}

	@Test
	void aSessionSavedAgainInTheRequestThatChangedItsIdIsStoredUnderTheNewId() {
		// Signed entries, as the sample application runs: what a read found under the
		// old id does not verify under the new one.
		ReplicatedSessionRepository repository = repository(secret(7), true);
		ReplicatedSession created = repository.createSession();
		created.setAttribute("theme", "dark");
		repository.save(created);
		ReplicatedSession session = repository.findById(created.getId());
		String newId = session.changeSessionId();
		session.setAttribute("user", "alice");
		repository.save(session);
		session.setAttribute("cart", "3 items");
		repository.save(session);
		ReplicatedSession found = repository.findById(newId);
		assertThat(found).isNotNull();
		assertThat(found.getAttributeNames()).containsExactlyInAnyOrder("theme", "user", "cart");
	}

	private static byte[] secret(int fill) {
		byte[] secret = new byte[32];
		Arrays.fill(secret, (byte) fill);
		return secret;
	}

	@Test
	void noNodeHoldsTheSessionIdInClearYetTheSessionAndItsPrincipalIndexAreFound() {
		ReplicatedSessionRepository repository = repository(secret(7));
		ReplicatedSession session = repository.createSession();
		session.setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, "alice");
		repository.save(session);
		String id = session.getId();
		await().untilAsserted(() -> assertThat(memcached.cluster().nodes())
			.allSatisfy((node) -> assertThat(node.keys()).isNotEmpty()));
		for (MemcachedNode node : memcached.cluster().nodes()) {
			await().untilAsserted(() -> {
				List<String> keys = node.keys();
				assertThat(keys).noneMatch((key) -> key.contains(id));
				for (String key : keys) {
					byte[] raw = node.rawGet(key);
					if (raw != null) {
						assertThat(new String(raw, StandardCharsets.ISO_8859_1)).as("the value under %s", key)
							.doesNotContain(id);
					}
				}
			});
		}
		assertThat(repository.findById(id)).isNotNull();
		Map<String, ReplicatedSession> byPrincipal = repository.findByPrincipalName("alice");
		assertThat(byPrincipal).containsOnlyKeys(id);
	}

	@Test
	void aSessionSealedWithAnotherKeyIsNotFound() {
		ReplicatedSessionRepository writer = repository(secret(7));
		ReplicatedSession session = writer.createSession();
		session.setAttribute("user", "alice");
		writer.save(session);
		assertThat(repository(secret(9)).findById(session.getId())).isNull();
		assertThat(repository(secret(7)).findById(session.getId())).isNotNull();
	}

}
