package io.memquorum.session;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.memquorum.engine.Completions;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.IdCipher;
import io.memquorum.signing.SigningKeys;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.session.FindByIndexNameSessionRepository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * No thread waits for memcached in the reactive repository: BlockHound fails any blocking
 * call (a wait on a future, a lock park, a sleep, blocking socket I/O) made on Reactor's
 * non-blocking threads, where each operation is subscribed, or on the engine's I/O
 * threads, where the work after each reply runs. The surefire argLine carries
 * {@code -XX:+AllowRedefinitionToAddDeleteMethods}, which BlockHound needs on JDK 17+.
 */
class ReactiveSessionsDoNotBlockTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	/** Rounds of each check: one blocking wait escapes BlockHound now and then. */
	private static final int ROUNDS = 10;

	/** Whether BlockHound fails a blocking call: only while this class runs. */
	private static volatile boolean checking;

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	/** Names of the threads the repository's signals arrived on. */
	private final Set<String> signalledOn = ConcurrentHashMap.newKeySet();

	private ReplicatedMemcached engine;

	@BeforeAll
	static void installBlockHound() {
		// The engine's I/O threads (xmemcached's reactors) count as non-blocking too: a
		// continuation that waited there would stall every node's replies.
		// BlockHound.install loads Reactor's integration too, which marks its
		// non-blocking schedulers' threads.
		BlockHound.install((builder) -> builder
			.nonBlockingThreadPredicate((current) -> current.or((thread) -> isEngineIoThread(thread.getName())))
			.blockingMethodCallback((method) -> {
				if (checking) {
					throw new BlockingOperationError(method);
				}
			}));
		checking = true;
	}

	@AfterAll
	static void stopChecking() {
		// BlockHound cannot be uninstalled, and the other test classes share this JVM.
		checking = false;
	}

	private static boolean isEngineIoThread(String name) {
		return name.contains("Reactor") || name.startsWith("Xmemcached");
	}

	@BeforeEach
	void startEngine() {
		this.engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofSeconds(1))
			.build();
	}

	@AfterEach
	void closeEngine() {
		this.engine.close();
	}

	@Test
	void createSaveFindLookUpChangeIdAndDeleteNeverBlock() {
		ReactiveReplicatedSessionRepository repository = new ReactiveReplicatedSessionRepository(this.engine);

		for (int round = 0; round < ROUNDS; round++) {
			ReplicatedSession session = nonBlocking(repository.createSession());
			session.setAttribute("cart", "2 items");
			session.setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, "erin");
			nonBlocking(repository.save(session));
			ReplicatedSession found = nonBlocking(repository.findById(session.getId()));
			assertThat(found.<String>getAttribute("cart")).isEqualTo("2 items");
			found.setAttribute("cart", "3 items");
			nonBlocking(repository.save(found));
			assertThat(nonBlocking(repository.findByPrincipalName("erin"))).containsOnlyKeys(session.getId());
			String newId = found.changeSessionId();
			nonBlocking(repository.save(found));
			nonBlocking(repository.deleteById(newId));
			assertThat(nonBlocking(repository.findById(newId).hasElement())).isFalse();
		}
		// Replies arrive on the engine's I/O threads; only createSession runs on a thread
		// that may block (for an id generator the application sets).
		assertThat(this.signalledOn).anySatisfy((name) -> assertThat(isEngineIoThread(name)).isTrue())
			.allSatisfy((name) -> assertThat(
					isEngineIoThread(name) || name.startsWith("parallel-") || name.startsWith("boundedElastic-"))
				.as("%s", name)
				.isTrue());
	}

	@Test
	void withSigningKeysSealingAndChangingIdsAsWebFluxDoesNeverBlocks() {
		// With signing keys every save that stores a new id seals it (AES-GCM with a
		// random nonce), and Spring Session's WebSession changes the id (login) inside
		// the subscription, on the event loop: neither may read the system's random
		// source there, which can block.
		SigningKeys keys = SigningKeys.of(List.of(java.util.Base64.getEncoder().encodeToString(new byte[32])));
		this.engine.close();
		this.engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofSeconds(1))
			.signer(new EntrySigner(keys))
			.build();
		ReplicatedSessionRepository store = new ReplicatedSessionRepository(this.engine);
		store.setIdCipher(new IdCipher(keys));
		ReactiveReplicatedSessionRepository repository = new ReactiveReplicatedSessionRepository(store);

		for (int round = 0; round < ROUNDS * 5; round++) {
			ReplicatedSession session = nonBlocking(repository.createSession());
			session.setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, "frank");
			nonBlocking(repository.save(session));
			String newId = nonBlocking(Mono.defer(() -> {
				String changed = session.changeSessionId();
				return repository.save(session).thenReturn(changed);
			}));
			ReplicatedSession found = nonBlocking(repository.findById(newId));
			assertThat(found.getId()).isEqualTo(newId);
			assertThat(nonBlocking(repository.findByPrincipalName("frank"))).containsKey(newId);
			nonBlocking(repository.deleteById(newId));
		}
	}

	@Test
	void theCheckCatchesTheWaitTheServletRepositoryMakes() {
		// Without this, the test above could pass because nothing is checked: the
		// servlet repository waits for the same futures with Completions.await.
		CompletableFuture<Object> reply = new CompletableFuture<>().completeOnTimeout("late", 200,
				TimeUnit.MILLISECONDS);
		assertThatThrownBy(() -> nonBlocking(Mono.fromCallable(() -> Completions.await(reply))))
			.hasRootCauseInstanceOf(BlockingOperationError.class);
	}

	@Test
	void theCheckCatchesTheServletRepositoryWaitingForAReply() {
		// A reply can arrive while CompletableFuture.get still spins, before it parks: a
		// single wait is caught in about two calls out of three here, so the operations
		// above run in several rounds.
		ReplicatedSessionRepository servlet = new ReplicatedSessionRepository(this.engine);
		ReplicatedSession session = servlet.createSession();
		servlet.save(session);
		int caught = 0;
		for (int i = 0; i < ROUNDS; i++) {
			try {
				nonBlocking(Mono.fromCallable(() -> servlet.findById(session.getId())));
			}
			catch (RuntimeException ex) {
				assertThat(ex).hasRootCauseInstanceOf(BlockingOperationError.class);
				caught++;
			}
		}
		assertThat(caught).isPositive();
	}

	/** Subscribe on a Reactor non-blocking thread; only the test thread waits. */
	private <T> T nonBlocking(Mono<T> operation) {
		return operation.subscribeOn(Schedulers.parallel())
			.doOnEach((signal) -> this.signalledOn.add(Thread.currentThread().getName()))
			.block(WAIT);
	}

}
