package io.memquorum.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.FlushMode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The reactive session repository on three real memcached nodes, next to a servlet
 * repository on its own engine (another application instance): one stored format, read
 * and written from either side.
 */
class ReactiveReplicatedSessionRepositoryTests {

	private static final String PRINCIPAL = FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME;

	private static final Duration WAIT = Duration.ofSeconds(10);

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
			.operationTimeout(Duration.ofSeconds(1))
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(300))
			.restartCheckInterval(Duration.ofMillis(200))
			.reconnectInterval(Duration.ofMillis(200))
			.build();
		this.engines.add(engine);
		return engine;
	}

	@Test
	void aSessionSavedByTheServletRepositoryReadsOnTheReactiveOneAndBack() {
		ReplicatedSessionRepository servlet = new ReplicatedSessionRepository(engine());
		ReactiveReplicatedSessionRepository reactive = new ReactiveReplicatedSessionRepository(engine());

		ReplicatedSession written = servlet.createSession();
		written.setAttribute("cart", "3 items");
		written.setAttribute(PRINCIPAL, "alice");
		servlet.save(written);

		ReplicatedSession read = reactive.findById(written.getId()).block(WAIT);
		assertThat(read).isNotNull();
		assertThat(read.<String>getAttribute("cart")).isEqualTo("3 items");
		assertThat(reactive.findByPrincipalName("alice").block(WAIT)).containsOnlyKeys(written.getId());

		read.setAttribute("cart", "4 items");
		read.setAttribute("theme", "dark");
		reactive.save(read).block(WAIT);

		ReplicatedSession readBack = servlet.findById(written.getId());
		assertThat(readBack).isNotNull();
		assertThat(readBack.<String>getAttribute("cart")).isEqualTo("4 items");
		assertThat(readBack.<String>getAttribute("theme")).isEqualTo("dark");
	}

	@Test
	void aSessionSavedByTheReactiveRepositoryReadsOnTheServletOneAndBack() {
		ReactiveReplicatedSessionRepository reactive = new ReactiveReplicatedSessionRepository(engine());
		ReplicatedSessionRepository servlet = new ReplicatedSessionRepository(engine());

		ReplicatedSession written = reactive.createSession().block(WAIT);
		written.setAttribute("cart", "1 item");
		written.setAttribute(PRINCIPAL, "bob");
		reactive.save(written).block(WAIT);

		ReplicatedSession read = servlet.findById(written.getId());
		assertThat(read).isNotNull();
		assertThat(read.<String>getAttribute("cart")).isEqualTo("1 item");
		assertThat(servlet.findByPrincipalName("bob")).containsOnlyKeys(written.getId());

		read.removeAttribute("cart");
		servlet.save(read);

		ReplicatedSession readBack = reactive.findById(written.getId()).block(WAIT);
		assertThat(readBack).isNotNull();
		assertThat(readBack.getAttributeNames()).containsOnly(PRINCIPAL);
	}

	@Test
	void aLogoutOnTheReactiveRepositoryEndsTheSessionForBothAndLeavesThePrincipalIndex() {
		ReplicatedSessionRepository servlet = new ReplicatedSessionRepository(engine());
		ReactiveReplicatedSessionRepository reactive = new ReactiveReplicatedSessionRepository(engine());
		ReplicatedSession first = servlet.createSession();
		first.setAttribute(PRINCIPAL, "carol");
		servlet.save(first);
		ReplicatedSession second = reactive.createSession().block(WAIT);
		second.setAttribute(PRINCIPAL, "carol");
		reactive.save(second).block(WAIT);
		assertThat(reactive.findByPrincipalName("carol").block(WAIT)).containsOnlyKeys(first.getId(), second.getId());

		reactive.deleteById(first.getId()).block(WAIT);

		assertThat(servlet.findById(first.getId())).isNull();
		assertThat(reactive.findById(first.getId()).blockOptional(WAIT)).isEmpty();
		assertThat(servlet.findByPrincipalName("carol")).containsOnlyKeys(second.getId());
		assertThat(reactive.findByPrincipalName("carol").block(WAIT)).containsOnlyKeys(second.getId());
	}

	@Test
	void aLateReactiveSaveAfterAServletLogoutDoesNotBringTheSessionBack() {
		ReplicatedSessionRepository servlet = new ReplicatedSessionRepository(engine());
		ReactiveReplicatedSessionRepository reactive = new ReactiveReplicatedSessionRepository(engine());
		ReplicatedSession session = servlet.createSession();
		servlet.save(session);
		ReplicatedSession inFlight = reactive.findById(session.getId()).block(WAIT);

		servlet.deleteById(session.getId());
		inFlight.setAttribute("late", "write");
		reactive.save(inFlight).block(WAIT);

		assertThat(servlet.findById(session.getId())).isNull();
		assertThat(reactive.getStore().getResurrectionsPreventedCount()).isEqualTo(1);
	}

	@Test
	void aChangedIdOnTheReactiveRepositoryMovesTheSession() {
		ReplicatedSessionRepository servlet = new ReplicatedSessionRepository(engine());
		ReactiveReplicatedSessionRepository reactive = new ReactiveReplicatedSessionRepository(engine());
		ReplicatedSession session = reactive.createSession().block(WAIT);
		session.setAttribute(PRINCIPAL, "dave");
		reactive.save(session).block(WAIT);
		String oldId = session.getId();

		ReplicatedSession signedIn = reactive.findById(oldId).block(WAIT);
		String newId = signedIn.changeSessionId();
		reactive.save(signedIn).block(WAIT);

		assertThat(servlet.findById(oldId)).isNull();
		assertThat(servlet.findById(newId)).isNotNull();
		assertThat(reactive.findByPrincipalName("dave").block(WAIT)).containsOnlyKeys(newId);
	}

	@Test
	void withTheWriteQuorumLostReadsWorkAndChangesFailAsUnavailable() {
		ReplicatedMemcached engine = engine();
		ReactiveReplicatedSessionRepository reactive = new ReactiveReplicatedSessionRepository(engine);
		ReplicatedSession session = reactive.createSession().block(WAIT);
		session.setAttribute("cart", "2 items");
		reactive.save(session).block(WAIT);

		// Fault: kill two of three nodes. The one left answers reads; no write reaches a
		// quorum.
		MemcachedNode first = memcached.cluster().node(0);
		MemcachedNode second = memcached.cluster().node(1);
		first.kill();
		second.kill();
		await().atMost(WAIT).until(() -> !engine.isWriteQuorumReachable());

		ReplicatedSession read = reactive.findById(session.getId()).block(WAIT);
		assertThat(read).isNotNull();
		assertThat(read.<String>getAttribute("cart")).isEqualTo("2 items");
		read.setAttribute("cart", "5 items");
		assertThatExceptionOfType(SessionStoreUnavailableException.class)
			.isThrownBy(() -> reactive.save(read).block(WAIT));
		assertThatExceptionOfType(SessionStoreUnavailableException.class)
			.isThrownBy(() -> reactive.deleteById(session.getId()).block(WAIT));
	}

	@Test
	void immediateFlushIsRefused() {
		ReactiveReplicatedSessionRepository reactive = new ReactiveReplicatedSessionRepository(engine());
		reactive.getStore().setFlushMode(FlushMode.IMMEDIATE);
		assertThatIllegalStateException().isThrownBy(() -> reactive.createSession().block(WAIT))
			.withMessageContaining("ON_SAVE");
	}

	@Test
	void principalLookupOfNobodyIsEmpty() {
		ReactiveReplicatedSessionRepository reactive = new ReactiveReplicatedSessionRepository(engine());
		Map<String, ReplicatedSession> found = reactive.findByPrincipalName("nobody").block(WAIT);
		assertThat(found).isEmpty();
	}

}
