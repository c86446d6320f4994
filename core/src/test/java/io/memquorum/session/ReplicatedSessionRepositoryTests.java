package io.memquorum.session;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.NodeState;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.FlushMode;
import org.springframework.session.SaveMode;
import org.springframework.session.events.SessionCreatedEvent;
import org.springframework.session.events.SessionDeletedEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The session repository on three real memcached nodes.
 */
class ReplicatedSessionRepositoryTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final List<ReplicatedMemcached> engines = new ArrayList<>();

	private final List<Object> events = new CopyOnWriteArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(ReplicatedMemcached::close);
	}

	private ReplicatedMemcached engine(ReadConsistency readConsistency) {
		return engine(readConsistency, Duration.ofSeconds(1));
	}

	private ReplicatedMemcached engine(ReadConsistency readConsistency, Duration operationTimeout) {
		ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.readConsistency(readConsistency)
			.operationTimeout(operationTimeout)
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(300))
			.restartCheckInterval(Duration.ofMillis(200))
			.reconnectInterval(Duration.ofMillis(200))
			.maxItemSize(64 * 1024)
			.build();
		this.engines.add(engine);
		return engine;
	}

	private ReplicatedSessionRepository repository(ReplicatedMemcached engine) {
		ReplicatedSessionRepository repository = new ReplicatedSessionRepository(engine);
		repository.setApplicationEventPublisher(this.events::add);
		return repository;
	}

	private ReplicatedSessionRepository repository() {
		return repository(engine(ReadConsistency.FIRST_HIT));
	}

	private static ReplicatedSession loggedIn(ReplicatedSessionRepository repository, String principal) {
		ReplicatedSession session = repository.createSession();
		session.setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, principal);
		repository.save(session);
		return session;
	}

	@Test
	void aSavedSessionIsFoundWithItsAttributesAndTimes() {
		ReplicatedSessionRepository repository = repository();
		ReplicatedSession session = repository.createSession();
		session.setAttribute("cart", new ArrayList<>(List.of("apple", "pear")));
		repository.save(session);
		ReplicatedSession found = repository.findById(session.getId());
		assertThat(found).isNotNull();
		assertThat(found.<List<String>>getAttribute("cart")).containsExactly("apple", "pear");
		assertThat(found.getCreationTime())
			.isEqualTo(session.getCreationTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
		assertThat(found.getMaxInactiveInterval()).isEqualTo(Duration.ofMinutes(30));
		assertThat(repository.findById("no-such-session")).isNull();
	}

	@Test
	void memcachedKeysHoldTheHashOfTheSessionIdNeverTheId() {
		ReplicatedSessionRepository repository = repository();
		ReplicatedSession session = loggedIn(repository, "alice");
		// A save returns once a quorum stored it; the third replica may still be writing.
		for (int i = 0; i < 3; i++) {
			MemcachedNode node = memcached.cluster().node(i);
			await().untilAsserted(() -> assertThat(node.keys()).isNotEmpty()
				.noneMatch((key) -> key.contains(session.getId()))
				.noneMatch((key) -> key.contains("alice"))
				.anyMatch((key) -> key.contains(SessionKeys.sha256(session.getId()))));
		}
	}

	@Test
	void findByIdHonoursExpiry() {
		ReplicatedSessionRepository repository = repository();
		ReplicatedSession session = repository.createSession();
		session.setMaxInactiveInterval(Duration.ofSeconds(5));
		session.setLastAccessedTime(Instant.now().minusSeconds(10));
		repository.save(session);
		assertThat(repository.findById(session.getId())).isNull();
	}

	@Test
	void theMemcachedLifetimeFollowsTheMaxInactiveIntervalAndEachSaveExtendsIt() {
		ReplicatedMemcached engine = engine(ReadConsistency.FIRST_HIT);
		ReplicatedSessionRepository repository = repository(engine);
		ReplicatedSession session = repository.createSession();
		session.setMaxInactiveInterval(Duration.ofMinutes(10));
		repository.save(session);
		await().until(() -> memcached.cluster()
			.node(0)
			.rawGet(engine.keyEncoder().encode(repository.sessionKey(session.getId()))) != null);
		long firstExpiry = expiryOnNode(engine, repository, session.getId(), 0);
		assertThat(firstExpiry).isBetween(System.currentTimeMillis() + 590_000, System.currentTimeMillis() + 600_000);
		ReplicatedSession found = repository.findById(session.getId());
		found.setLastAccessedTime(Instant.now().plusSeconds(60));
		repository.save(found);
		// The write quorum has answered; the last replica may still be merging.
		await().untilAsserted(() -> assertThat(expiryOnNode(engine, repository, session.getId(), 0))
			.isGreaterThan(firstExpiry + 50_000));
	}

	private static long expiryOnNode(ReplicatedMemcached engine, ReplicatedSessionRepository repository, String id,
			int node) {
		byte[] raw = memcached.cluster().node(node).rawGet(engine.keyEncoder().encode(repository.sessionKey(id)));
		return Envelope.decode(Envelope.FLAGS, raw).expiresAtMillis();
	}

	@Test
	void concurrentSavesThatChangeDifferentAttributesAllPersist() throws Exception {
		ReplicatedSessionRepository repository = repository();
		ReplicatedSession session = repository.createSession();
		repository.save(session);
		int requests = 16;
		ExecutorService executor = Executors.newFixedThreadPool(8);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> done = new ArrayList<>();
		for (int i = 0; i < requests; i++) {
			int n = i;
			done.add(executor.submit(() -> {
				ReplicatedSession copy = repository.findById(session.getId());
				start.await();
				copy.setAttribute("attribute-" + n, n);
				copy.setLastAccessedTime(Instant.now());
				repository.save(copy);
				return null;
			}));
		}
		start.countDown();
		for (Future<?> future : done) {
			future.get(30, TimeUnit.SECONDS);
		}
		executor.shutdown();
		// Every save got its write quorum; a replica may still be merging the last ones.
		await().untilAsserted(() -> {
			ReplicatedSession found = repository.findById(session.getId());
			for (int i = 0; i < requests; i++) {
				assertThat(found.<Integer>getAttribute("attribute-" + i)).isEqualTo(i);
			}
		});
	}

	@Test
	void aSaveRacingAnInvalidationDoesNotBringTheSessionBack() {
		ReplicatedSessionRepository repository = repository();
		ReplicatedSession session = loggedIn(repository, "alice");
		ReplicatedSession inFlight = repository.findById(session.getId());
		repository.deleteById(session.getId());
		inFlight.setAttribute("late", "write");
		repository.save(inFlight);
		assertThat(repository.findById(session.getId())).isNull();
		assertThat(repository.getResurrectionsPreventedCount()).isEqualTo(1);
		assertThat(repository.findByPrincipalName("alice")).isEmpty();
	}

	@Test
	void aSaveAfterAnInvalidationThatAPausedReplicaMissedDoesNotBringTheSessionBack() {
		ReplicatedMemcached engine = engine(ReadConsistency.FIRST_HIT);
		ReplicatedSessionRepository repository = repository(engine);
		ReplicatedSession session = loggedIn(repository, "alice");
		ReplicatedSession inFlight = repository.findById(session.getId());
		MemcachedNode paused = memcached.cluster().node(2);
		paused.pause();
		repository.deleteById(session.getId());
		paused.resume();
		inFlight.setAttribute("late", "write");
		repository.save(inFlight);
		awaitAllUp(engine);
		ReplicatedSessionRepository majority = repository(engine(ReadConsistency.MAJORITY));
		for (int i = 0; i < 20; i++) {
			assertThat(repository.findById(session.getId())).isNull();
			assertThat(majority.findById(session.getId())).isNull();
		}
		String encoded = engine.keyEncoder().encode(repository.sessionKey(session.getId()));
		// A delete returns at quorum: wait for every replica to hold the tombstone.
		await().untilAsserted(() -> {
			for (int i = 0; i < 3; i++) {
				byte[] raw = memcached.cluster().node(i).rawGet(encoded);
				assertThat(Envelope.decode(Envelope.FLAGS, raw).isTombstone()).isTrue();
			}
		});
	}

	private static void awaitAllUp(ReplicatedMemcached engine) {
		await().atMost(Duration.ofSeconds(20))
			.until(() -> engine.nodeStatus()
				.stream()
				.allMatch((status) -> status.state() == NodeState.UP && status.pendingHints() == 0));
	}

	@Test
	void aReplicaThatRestartedEmptyIsFilledWithTheMergedSession() {
		ReplicatedMemcached engine = engine(ReadConsistency.FIRST_HIT);
		ReplicatedSessionRepository repository = repository(engine);
		ReplicatedSession session = repository.createSession();
		session.setAttribute("a", "1");
		session.setAttribute("b", "2");
		repository.save(session);
		memcached.cluster().node(0).restartEmpty();
		awaitAllUp(engine);
		ReplicatedSession found = repository.findById(session.getId());
		found.setAttribute("c", "3");
		repository.save(found);
		// The save skips the empty replica; repair fills it from merged state, in the
		// background: wait for it before losing the other two.
		String key = engine.keyEncoder().encode(repository.sessionKey(session.getId()));
		await().untilAsserted(() -> {
			byte[] bytes = memcached.cluster().node(0).rawGet(key);
			assertThat(bytes).isNotNull();
			assertThat(StoredSession.decode(Envelope.decode(Envelope.FLAGS, bytes).payload()).liveAttributes())
				.containsOnlyKeys("a", "b", "c");
		});
		memcached.cluster().node(1).restartEmpty();
		memcached.cluster().node(2).restartEmpty();
		awaitAllUp(engine);
		ReplicatedSession survivor = repository.findById(session.getId());
		assertThat(survivor).isNotNull();
		assertThat(survivor.getAttributeNames()).containsExactlyInAnyOrder("a", "b", "c");
	}

	@Test
	void changingTheSessionIdLeavesTheOldIdUnusableAndKeepsTheAttributes() {
		ReplicatedSessionRepository repository = repository();
		ReplicatedSession session = repository.createSession();
		session.setAttribute("a", "1");
		repository.save(session);
		ReplicatedSession found = repository.findById(session.getId());
		String oldId = found.getId();
		String newId = found.changeSessionId();
		found.setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, "alice");
		repository.save(found);
		assertThat(newId).isNotEqualTo(oldId);
		assertThat(repository.findById(oldId)).isNull();
		ReplicatedSession renamed = repository.findById(newId);
		assertThat(renamed.<String>getAttribute("a")).isEqualTo("1");
		assertThat(repository.findByPrincipalName("alice")).containsOnlyKeys(newId);
		// A logout that still carries the old id (sent before the browser had the new
		// one) ends the session under its new id too.
		repository.deleteById(oldId);
		assertThat(repository.findById(newId)).isNull();
	}

	@Test
	void thePrincipalIndexFindsEverySessionOfAUserAndStopsListingDeletedOnes() {
		ReplicatedSessionRepository repository = repository();
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			ids.add(loggedIn(repository, "alice").getId());
		}
		loggedIn(repository, "bob");
		assertThat(repository.findByPrincipalName("alice")).containsOnlyKeys(ids);
		repository.deleteById(ids.get(0));
		assertThat(repository.findByPrincipalName("alice")).containsOnlyKeys(ids.subList(1, 4));
		assertThat(repository.findByPrincipalName("bob")).hasSize(1);
		assertThat(repository.findByIndexNameAndIndexValue("other", "alice")).isEmpty();
	}

	@Test
	void theIndexDropsSessionsThatExpiredOrDisappeared() {
		ReplicatedMemcached engine = engine(ReadConsistency.FIRST_HIT);
		ReplicatedSessionRepository repository = repository(engine);
		ReplicatedSession live = loggedIn(repository, "alice");
		ReplicatedSession gone = loggedIn(repository, "alice");
		// Gone without a delete through the repository, as after eviction.
		engine.delete(repository.sessionKey(gone.getId()));
		assertThat(repository.findByPrincipalName("alice")).containsOnlyKeys(live.getId());
		byte[] index = engine
			.get(repository.indexKey(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, "alice"));
		assertThat(IndexEntries.decode(index).entries).containsOnlyKeys(SessionKeys.sha256(live.getId()));
	}

	@Test
	void anUnreadableSessionIsAbsentAndCounted() {
		ReplicatedMemcached engine = engine(ReadConsistency.FIRST_HIT);
		ReplicatedSessionRepository repository = repository(engine);
		ReplicatedSession session = repository.createSession();
		repository.save(session);
		engine.set(repository.sessionKey(session.getId()), "garbage".getBytes(StandardCharsets.UTF_8),
				Duration.ofMinutes(1));
		assertThat(repository.findById(session.getId())).isNull();
		assertThat(repository.getUnreadableSessionCount()).isEqualTo(1);
	}

	@Test
	void anAttributeOfAClassOutsideTheAllowListReadsAsAbsentWhenReadAndIsNeverRebuilt() {
		ReplicatedMemcached engine = engine(ReadConsistency.FIRST_HIT);
		ReplicatedSessionRepository writer = repository(engine);
		writer.setSerializer(new JdkSessionAttributeSerializer(List.of("io.memquorum"), null));
		ReplicatedSession session = writer.createSession();
		session.setAttribute("gadget", new JdkSessionAttributeSerializerTests.Gadget("x"));
		session.setAttribute("cart", "apple");
		writer.save(session);
		ReplicatedSessionRepository reader = repository(engine);
		ReplicatedSession found = reader.findById(session.getId());
		assertThat(reader.getUnreadableAttributeCount()).as("nothing deserialized before it is read").isZero();
		assertThat(found.<Object>getAttribute("gadget")).isNull();
		assertThat(found.<String>getAttribute("cart")).isEqualTo("apple");
		assertThat(reader.getUnreadableAttributeCount()).isEqualTo(1);
		assertThat(reader.getUnreadableSessionCount()).isZero();
		assertThat(writer.findById(session.getId()).<Object>getAttribute("gadget")).isNotNull();
	}

	@Test
	void attributesTheRequestDidNotReadAreSavedAsStoredUnderSaveModeAlways() {
		ReplicatedMemcached engine = engine(ReadConsistency.FIRST_HIT);
		ReplicatedSessionRepository repository = repository(engine);
		repository.setSaveMode(SaveMode.ALWAYS);
		ReplicatedSession session = repository.createSession();
		session.setAttribute("cart", List.of("apple", "pear"));
		session.setAttribute("locale", "en-GB");
		repository.save(session);

		ReplicatedSession found = repository.findById(session.getId());
		found.setAttribute("locale", "fr-FR");
		repository.save(found);

		ReplicatedSession again = repository.findById(session.getId());
		assertThat(again.<List<String>>getAttribute("cart")).containsExactly("apple", "pear");
		assertThat(again.<String>getAttribute("locale")).isEqualTo("fr-FR");
		assertThat(again.getAttributeNames()).containsExactlyInAnyOrder("cart", "locale");
	}

	@Test
	void aSessionOverTheItemSizeLimitFailsAtSaveWithItsSizeAndTheLimit() {
		ReplicatedSessionRepository repository = repository();
		ReplicatedSession session = repository.createSession();
		session.setAttribute("big", new byte[100 * 1024]);
		assertThatExceptionOfType(SessionTooLargeException.class).isThrownBy(() -> repository.save(session))
			.withMessageContaining("over the item size limit of 65536 bytes")
			.satisfies((ex) -> assertThat(ex.getSize()).isGreaterThan(100 * 1024));
		assertThat(repository.findById(session.getId())).isNull();
	}

	@Test
	void whenNoReplicaAnswersFindByIdRaisesASpecificExceptionOrDegradesWhenConfigured() {
		ReplicatedSessionRepository repository = repository(engine(ReadConsistency.FIRST_HIT, Duration.ofMillis(200)));
		ReplicatedSession session = loggedIn(repository, "alice");
		for (int i = 0; i < 3; i++) {
			memcached.cluster().node(i).pause();
		}
		try {
			assertThatExceptionOfType(SessionStoreUnavailableException.class)
				.isThrownBy(() -> repository.findById(session.getId()))
				.withMessageNotContaining(session.getId());
			repository.setDegradeWhenUnreachable(true);
			assertThat(repository.findById(session.getId())).isNull();
			assertThat(repository.getUnreachableReadCount()).isEqualTo(2);
		}
		finally {
			for (int i = 0; i < 3; i++) {
				memcached.cluster().node(i).resume();
			}
		}
	}

	@Test
	void creationAndDeletionArePublished() {
		ReplicatedSessionRepository repository = repository();
		ReplicatedSession session = repository.createSession();
		assertThat(this.events).isEmpty();
		repository.save(session);
		repository.save(repository.findById(session.getId()));
		repository.deleteById(session.getId());
		assertThat(this.events).hasExactlyElementsOfTypes(SessionCreatedEvent.class, SessionDeletedEvent.class);
		assertThat(((SessionDeletedEvent) this.events.get(1)).getSessionId()).isEqualTo(session.getId());
	}

	@Test
	void flushModeImmediateWritesEachChangeAtOnce() {
		ReplicatedSessionRepository repository = repository();
		repository.setFlushMode(FlushMode.IMMEDIATE);
		ReplicatedSession session = repository.createSession();
		assertThat(repository.findById(session.getId())).isNotNull();
		session.setAttribute("a", "1");
		assertThat(repository.findById(session.getId()).<String>getAttribute("a")).isEqualTo("1");
	}

	@Test
	void flushModeOnSaveWritesNothingBeforeSave() {
		ReplicatedSessionRepository repository = repository();
		ReplicatedSession session = repository.createSession();
		session.setAttribute("a", "1");
		assertThat(repository.findById(session.getId())).isNull();
	}

	@Test
	void saveModeDecidesWhichAttributesASaveWrites() {
		assertThat(attributeAfterConcurrentChange(SaveMode.ON_SET_ATTRIBUTE, false)).isEqualTo("changed");
		assertThat(attributeAfterConcurrentChange(SaveMode.ON_SET_ATTRIBUTE, true)).isEqualTo("changed");
		assertThat(attributeAfterConcurrentChange(SaveMode.ON_GET_ATTRIBUTE, false)).isEqualTo("changed");
		assertThat(attributeAfterConcurrentChange(SaveMode.ON_GET_ATTRIBUTE, true)).isEqualTo("original");
		assertThat(attributeAfterConcurrentChange(SaveMode.ALWAYS, false)).isEqualTo("original");
	}

	/**
	 * One request changes attribute "a" while another, which read the session before,
	 * saves; the second save overwrites "a" only if its save mode includes it.
	 */
	private String attributeAfterConcurrentChange(SaveMode saveMode, boolean readInSecond) {
		ReplicatedSessionRepository repository = repository();
		repository.setSaveMode(saveMode);
		ReplicatedSession session = repository.createSession();
		session.setAttribute("a", "original");
		repository.save(session);
		ReplicatedSession first = repository.findById(session.getId());
		ReplicatedSession second = repository.findById(session.getId());
		first.setAttribute("a", "changed");
		repository.save(first);
		if (readInSecond) {
			second.getAttribute("a");
		}
		second.setAttribute("b", "other");
		repository.save(second);
		return repository.findById(session.getId()).getAttribute("a");
	}

	@Test
	void settersRejectBadArgumentsWithExactMessages() {
		ReplicatedSessionRepository repository = repository();
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> repository.setKeyPrefix("has space"))
			.withMessage(
					"keyPrefix must be at most 50 characters without whitespace or control characters, got 'has space'");
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> repository.setDefaultMaxInactiveInterval(Duration.ZERO))
			.withMessage("defaultMaxInactiveInterval must not be null or zero, got PT0S");
	}

	@Test
	void theKeyPrefixIsUsedForEveryKey() {
		ReplicatedSessionRepository repository = repository();
		repository.setKeyPrefix("app1:");
		ReplicatedSession session = loggedIn(repository, "alice");
		// Apart from the engine's own refill marker, under its own (empty) key prefix.
		assertThat(memcached.cluster().node(0).keys()).filteredOn((key) -> !key.startsWith("#m:"))
			.isNotEmpty()
			.allMatch((key) -> key.startsWith("app1:"));
		assertThat(repository.findById(session.getId())).isNotNull();
		assertThat(Map.copyOf(repository.findByPrincipalName("alice"))).hasSize(1);
	}

}
