package io.memquorum.session;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.NodeState;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.TcpProxy;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Replicas of a session converge, and a logout is final, whatever order concurrent saves,
 * hints, repairs and logouts reach them in: each test names the fault and what must hold,
 * on three real memcached nodes.
 */
class SessionConvergenceTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final List<AutoCloseable> open = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		for (int i = this.open.size() - 1; i >= 0; i--) {
			this.open.get(i).close();
		}
		memcached.cluster().heal();
	}

	private ReplicatedMemcached engine(UnaryOperator<ReplicatedMemcached.Builder> settings) {
		ReplicatedMemcached engine = settings
			.apply(ReplicatedMemcached.builder()
				.servers(memcached.cluster().addresses())
				.operationTimeout(Duration.ofMillis(500))
				.probeInterval(Duration.ofMillis(50))
				.maxProbeInterval(Duration.ofMillis(200))
				.restartCheckInterval(Duration.ofMillis(200))
				.reconnectInterval(Duration.ofMillis(200)))
			.build();
		this.open.add(engine);
		return engine;
	}

	private ReplicatedMemcached engine() {
		return engine(UnaryOperator.identity());
	}

	/**
	 * An engine that reaches the third node through a proxy, for a one-sided partition.
	 */
	private ReplicatedMemcached engineBehind(TcpProxy proxy) {
		List<String> servers = new ArrayList<>(memcached.cluster().addresses());
		servers.set(2, proxy.address());
		return engine((builder) -> builder.servers(servers));
	}

	private TcpProxy proxyToThirdNode() {
		TcpProxy proxy = TcpProxy.to(memcached.cluster().node(2));
		this.open.add(proxy);
		return proxy;
	}

	private static ReplicatedSession stored(ReplicatedSessionRepository repository, String name, Object value) {
		ReplicatedSession session = repository.createSession();
		session.setAttribute(name, value);
		repository.save(session);
		return session;
	}

	/** What one replica holds for a session, read straight from memcached. */
	private static @Nullable Envelope replica(int node, ReplicatedSessionRepository repository,
			ReplicatedMemcached engine, String id) {
		String key = engine.keyEncoder().encode(repository.sessionKey(id));
		byte[] bytes = memcached.cluster().node(node).rawGet(key);
		return (bytes != null) ? Envelope.decode(Envelope.FLAGS, bytes) : null;
	}

	private static @Nullable StoredSession replicaSession(int node, ReplicatedSessionRepository repository,
			ReplicatedMemcached engine, String id) {
		Envelope envelope = replica(node, repository, engine, id);
		return (envelope != null && envelope.isValue()) ? StoredSession.decode(envelope.payload()) : null;
	}

	private static void awaitAllUp(ReplicatedMemcached engine) {
		await().atMost(Duration.ofSeconds(10))
			.until(() -> engine.nodeStatus().stream().allMatch((status) -> status.state() == NodeState.UP));
	}

	@Test
	void aHintReplayedAfterAConcurrentSaveOfAnotherAttributeLosesNeither() {
		TcpProxy proxy = proxyToThirdNode();
		ReplicatedMemcached engineA = engineBehind(proxy);
		ReplicatedMemcached engineB = engine();
		ReplicatedSessionRepository a = new ReplicatedSessionRepository(engineA);
		ReplicatedSessionRepository b = new ReplicatedSessionRepository(engineB);
		String id = stored(b, "start", "1").getId();
		await().until(() -> replicaSession(2, b, engineB, id) != null);
		// Two requests read the session at once, through instances A and B.
		ReplicatedSession viaA = a.findById(id);
		ReplicatedSession viaB = b.findById(id);
		// Instance A loses the third node: its save of "x" misses it and becomes a hint.
		proxy.partition();
		viaA.setAttribute("x", "from A");
		a.save(viaA);
		// Instance B still reaches it, and saves "y" into the third node's copy, which
		// lacks "x", with a newer version than A's hint.
		viaB.setAttribute("y", "from B");
		b.save(viaB);
		proxy.heal();
		awaitAllUp(engineA);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			StoredSession third = replicaSession(2, b, engineB, id);
			assertThat(third).isNotNull();
			assertThat(third.liveAttributes()).containsKeys("start", "x", "y");
		});
	}

	@Test
	void twoEnginesSettingOneAttributeAtOnceLeaveEveryReplicaIdentical() throws Exception {
		ReplicatedMemcached engineA = engine();
		ReplicatedMemcached engineB = engine();
		ReplicatedSessionRepository a = new ReplicatedSessionRepository(engineA);
		ReplicatedSessionRepository b = new ReplicatedSessionRepository(engineB);
		int rounds = 500;
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < rounds; i++) {
			ids.add(stored(a, "start", i).getId());
		}
		CyclicBarrier barrier = new CyclicBarrier(2);
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (ReplicatedSessionRepository repository : List.of(a, b)) {
				String token = (repository == a) ? "csrf-A" : "csrf-B";
				done.add(threads.submit(() -> {
					for (String id : ids) {
						barrier.await(10, TimeUnit.SECONDS);
						ReplicatedSession session = repository.findById(id);
						session.setAttribute("csrf", token);
						repository.save(session);
					}
					return null;
				}));
			}
			for (Future<?> future : done) {
				future.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			threads.shutdownNow();
		}
		// Saves return at quorum: wait for the last replicas, then compare every copy.
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			for (String id : ids) {
				byte[] first = replica(0, a, engineA, id).payload();
				StoredSession session = StoredSession.decode(first);
				assertThat(session.liveAttributes()).containsKey("csrf");
				assertThat(replica(1, a, engineA, id).payload()).as("session %s", id).isEqualTo(first);
				assertThat(replica(2, a, engineA, id).payload()).as("session %s", id).isEqualTo(first);
			}
		});
	}

	@Test
	void aReplicaThatRestartedEmptyDoesNotGetBackAnAttributeRemovedMeanwhile() {
		ReplicatedMemcached engineA = engine();
		ReplicatedMemcached engineB = engine();
		ReplicatedSessionRepository a = new ReplicatedSessionRepository(engineA);
		ReplicatedSessionRepository b = new ReplicatedSessionRepository(engineB);
		ReplicatedSession created = stored(a, "admin", true);
		String id = created.getId();
		await().until(() -> replicaSession(2, a, engineA, id) != null);
		// A long request reads the session while the user is still an admin.
		ReplicatedSession longRequest = a.findById(id);
		memcached.cluster().node(2).restartEmpty();
		awaitAllUp(engineA);
		awaitAllUp(engineB);
		// Meanwhile another request removes the admin role.
		ReplicatedSession revoke = b.findById(id);
		revoke.removeAttribute("admin");
		b.save(revoke);
		// The long request then saves a change of its own.
		longRequest.setAttribute("cart", "apples");
		a.save(longRequest);
		// A read fills the empty replica from merged state.
		for (int i = 0; i < 5; i++) {
			ReplicatedSession found = b.findById(id);
			assertThat(found.<Object>getAttribute("admin")).isNull();
			assertThat(found.<String>getAttribute("cart")).isEqualTo("apples");
		}
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			for (int node = 0; node < 3; node++) {
				StoredSession copy = replicaSession(node, a, engineA, id);
				assertThat(copy).as("node %d", node).isNotNull();
				assertThat(copy.liveAttributes()).as("node %d", node).containsOnlyKeys("cart");
			}
		});
	}

	@Test
	void aLogoutRacingChangeSessionIdLeavesNeitherIdSignedIn() throws Exception {
		ReplicatedMemcached engineA = engine();
		ReplicatedMemcached engineB = engine();
		ReplicatedSessionRepository a = new ReplicatedSessionRepository(engineA);
		ReplicatedSessionRepository b = new ReplicatedSessionRepository(engineB);
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			for (int round = 0; round < 100; round++) {
				String oldId = stored(a, "user", "alice").getId();
				ReplicatedSession signingIn = a.findById(oldId);
				CyclicBarrier barrier = new CyclicBarrier(2);
				Future<String> changed = threads.submit(() -> {
					barrier.await(10, TimeUnit.SECONDS);
					String newId = signingIn.changeSessionId();
					a.save(signingIn);
					return newId;
				});
				Future<?> loggedOut = threads.submit(() -> {
					barrier.await(10, TimeUnit.SECONDS);
					b.deleteById(oldId);
					return null;
				});
				String newId = changed.get(10, TimeUnit.SECONDS);
				loggedOut.get(10, TimeUnit.SECONDS);
				assertThat(b.findById(oldId)).as("round %d, old id", round).isNull();
				assertThat(b.findById(newId)).as("round %d, new id", round).isNull();
				assertThat(a.findById(newId)).as("round %d, new id", round).isNull();
			}
		}
		finally {
			threads.shutdownNow();
		}
	}

	@Test
	void aLogoutThroughAnInstanceCutOffFromOneNodeIsFinalOnAnotherThatReachesIt() {
		TcpProxy proxy = proxyToThirdNode();
		ReplicatedMemcached engineA = engineBehind(proxy);
		ReplicatedMemcached engineB = engine();
		ReplicatedSessionRepository a = new ReplicatedSessionRepository(engineA);
		ReplicatedSessionRepository b = new ReplicatedSessionRepository(engineB);
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			ids.add(stored(b, "user", "user-" + i).getId());
		}
		for (String id : ids) {
			await().until(() -> replicaSession(2, b, engineB, id) != null);
		}
		proxy.partition();
		ids.forEach(a::deleteById);
		for (int round = 0; round < 3; round++) {
			for (String id : ids) {
				assertThat(b.findById(id)).as("logged out through A, read through B").isNull();
			}
		}
	}

	@Test
	void onlyTheNodeThatMissedALogoutStillHoldingTheSessionCannotBringItBack() {
		TcpProxy proxy = proxyToThirdNode();
		ReplicatedMemcached engineA = engineBehind(proxy);
		ReplicatedMemcached engineB = engine();
		ReplicatedSessionRepository a = new ReplicatedSessionRepository(engineA);
		ReplicatedSessionRepository b = new ReplicatedSessionRepository(engineB);
		String id = stored(b, "user", "alice").getId();
		await().until(() -> replicaSession(2, b, engineB, id) != null);
		proxy.partition();
		a.deleteById(id);
		// The first node dies: B's majority is now the second node (tombstone) and the
		// third (which missed the logout).
		memcached.cluster().node(0).kill();
		for (int i = 0; i < 5; i++) {
			assertThat(b.findById(id)).isNull();
		}
		// Read repair copied the logout to the third node; it never copied the session
		// back.
		await().untilAsserted(() -> {
			Envelope third = replica(2, b, engineB, id);
			assertThat(third == null || third.isTombstone() || StoredSession.decode(third.payload()).isEnded())
				.isTrue();
		});
		assertThat(replica(1, b, engineB, id).isTombstone()).isTrue();
	}

	@Test
	void underClocksASecondApartALaterChangeAndALogoutWinOverWhatTheySaw() {
		TcpProxy proxy = proxyToThirdNode();
		ReplicatedMemcached fast = engine((builder) -> builder.wallClock(() -> System.currentTimeMillis() + 1000));
		List<String> servers = new ArrayList<>(memcached.cluster().addresses());
		servers.set(2, proxy.address());
		ReplicatedMemcached slow = engine((builder) -> builder.servers(servers));
		ReplicatedSessionRepository onFast = new ReplicatedSessionRepository(fast);
		ReplicatedSessionRepository onSlow = new ReplicatedSessionRepository(slow);
		String id = stored(onFast, "csrf", "A").getId();
		// The slow instance reads what the fast one wrote, then changes it.
		ReplicatedSession read = onSlow.findById(id);
		read.setAttribute("csrf", "B");
		onSlow.save(read);
		assertThat(onFast.findById(id).<String>getAttribute("csrf")).isEqualTo("B");
		await().untilAsserted(() -> {
			for (int node = 0; node < 3; node++) {
				assertThat(replicaSession(node, onFast, fast, id).liveAttributes().get("csrf"))
					.isEqualTo(onFast.getSerializer().serialize("B"));
			}
		});
		// The fast instance saves; the slow one, cut off from the third node, logs out
		// right after.
		ReplicatedSession again = onFast.findById(id);
		again.setAttribute("page", "/cart");
		onFast.save(again);
		proxy.partition();
		onSlow.deleteById(id);
		// The first node dies: the fast instance's majority is the second node (logged
		// out) and the third, which missed the logout and holds the fast save.
		memcached.cluster().node(0).kill();
		for (int i = 0; i < 5; i++) {
			assertThat(onFast.findById(id)).isNull();
		}
		await().untilAsserted(() -> {
			Envelope third = replica(2, onFast, fast, id);
			assertThat(third == null || third.isTombstone() || StoredSession.decode(third.payload()).isEnded())
				.isTrue();
		});
		// The hint the slow instance kept for the third node changes nothing of that.
		proxy.heal();
		await().atMost(Duration.ofSeconds(10)).until(() -> slow.nodeStatus().get(2).state() == NodeState.UP);
		assertThat(onFast.findById(id)).isNull();
		assertThat(onSlow.findById(id)).isNull();
	}

	@Test
	void aSaveStoresTheLastAccessTimeItSetEvenInThePastAndTheItemLivesExactlyAsLong() {
		ReplicatedMemcached engine = engine();
		ReplicatedSessionRepository repository = new ReplicatedSessionRepository(engine);
		String id = stored(repository, "user", "alice").getId();
		ReplicatedSession session = repository.findById(id);
		// As Spring Session's own tests do to expire a session: 3 s of life left.
		Instant past = Instant.now().minus(Duration.ofMinutes(30)).plusSeconds(3).truncatedTo(ChronoUnit.MILLIS);
		session.setLastAccessedTime(past);
		repository.save(session);
		ReplicatedSession found = repository.findById(id);
		assertThat(found.getLastAccessedTime()).isEqualTo(past);
		long storedExpiry = past.toEpochMilli() + Duration.ofMinutes(30).toMillis();
		await().untilAsserted(() -> {
			for (int node = 0; node < 3; node++) {
				assertThat(replica(node, repository, engine, id).expiresAtMillis()).isEqualTo(storedExpiry);
			}
		});
		await().atMost(Duration.ofSeconds(8)).untilAsserted(() -> {
			assertThat(repository.findById(id)).isNull();
			for (int node = 0; node < 3; node++) {
				assertThat(replica(node, repository, engine, id)).as("the item is gone once the session expired")
					.isNull();
			}
		});
	}

	@Test
	void aLongRequestNeverShortensASessionALaterRequestExtended() throws InterruptedException {
		ReplicatedMemcached engine = engine();
		ReplicatedSessionRepository repository = new ReplicatedSessionRepository(engine);
		repository.setDefaultMaxInactiveInterval(Duration.ofSeconds(6));
		String id = stored(repository, "user", "alice").getId();
		// Each request touches the session when it starts, as SessionRepositoryFilter
		// does.
		ReplicatedSession longRequest = repository.findById(id);
		longRequest.setLastAccessedTime(Instant.now());
		// Time passes (not a synchronization: the test needs the clock to move). The
		// gaps leave a second or more on either side of the final read, for memcached's
		// one-second clock and a loaded machine.
		Thread.sleep(3000);
		ReplicatedSession shortRequest = repository.findById(id);
		Instant touched = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		shortRequest.setLastAccessedTime(touched);
		repository.save(shortRequest);
		Thread.sleep(1000);
		// The long request ends after the short one, with the older last access time.
		longRequest.setAttribute("report", "done");
		repository.save(longRequest);
		Thread.sleep(3500);
		// 7.5 s after the long request started (its own expiry, 6 s, has passed), 4.5 s
		// after the short one (whose expiry has not).
		ReplicatedSession found = repository.findById(id);
		assertThat(found).as("still signed in").isNotNull();
		assertThat(found.getLastAccessedTime()).isEqualTo(touched);
		assertThat(found.<String>getAttribute("report")).isEqualTo("done");
	}

}
