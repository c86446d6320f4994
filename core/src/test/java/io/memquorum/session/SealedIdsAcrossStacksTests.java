package io.memquorum.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.IdCipher;
import io.memquorum.signing.SigningKeys;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With signing keys set (entries signed, session ids sealed), as the samples run: a
 * session the servlet repository saved reads on the reactive one of another instance.
 */
class SealedIdsAcrossStacksTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private static final SigningKeys KEYS = SigningKeys
		.of(List.of(Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes())));

	private final List<ReplicatedMemcached> engines = new ArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(ReplicatedMemcached::close);
	}

	private ReplicatedSessionRepository store() {
		ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofSeconds(1))
			.signer(new EntrySigner(KEYS))
			.build();
		this.engines.add(engine);
		ReplicatedSessionRepository repository = new ReplicatedSessionRepository(engine);
		repository.setIdCipher(new IdCipher(KEYS));
		return repository;
	}

	@Test
	void aSessionTheServletRepositorySavedReadsOnTheReactiveOne() {
		ReplicatedSessionRepository servlet = store();
		ReactiveReplicatedSessionRepository reactive = new ReactiveReplicatedSessionRepository(store());
		ReplicatedSession written = servlet.createSession();
		written.setAttribute("theme", "dark");
		servlet.save(written);
		ReplicatedSession read = reactive.findById(written.getId()).block(Duration.ofSeconds(10));
		assertThat(read).isNotNull();
		assertThat(read.<String>getAttribute("theme")).isEqualTo("dark");
	}

}
