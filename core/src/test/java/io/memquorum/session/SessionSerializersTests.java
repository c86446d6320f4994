package io.memquorum.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.memquorum.engine.NodeState;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.User;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The restart and concurrency guarantees of the session store hold with either attribute
 * serializer, on three real memcached nodes.
 */
class SessionSerializersTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final List<ReplicatedMemcached> engines = new ArrayList<>();

	@AfterEach
	void close() {
		this.engines.forEach(ReplicatedMemcached::close);
	}

	static Stream<Arguments> serializers() {
		return Stream.of(
				Arguments.of("jdk",
						(Supplier<SessionAttributeSerializer>) () -> new JdkSessionAttributeSerializer(
								List.of("io.memquorum.session"), null)),
				Arguments.of("json", (Supplier<SessionAttributeSerializer>) () -> new JsonSessionAttributeSerializer(
						List.of("io.memquorum.session"), null)));
	}

	private ReplicatedMemcached engine() {
		ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofSeconds(1))
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(300))
			.restartCheckInterval(Duration.ofMillis(200))
			.reconnectInterval(Duration.ofMillis(200))
			.build();
		this.engines.add(engine);
		return engine;
	}

	private static ReplicatedSessionRepository repository(ReplicatedMemcached engine,
			SessionAttributeSerializer serializer) {
		ReplicatedSessionRepository repository = new ReplicatedSessionRepository(engine);
		repository.setSerializer(serializer);
		return repository;
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("serializers")
	void aSignedInSessionSurvivesEveryNodeRestartingEmptyOneAtATime(String name,
			Supplier<SessionAttributeSerializer> serializer) {
		ReplicatedMemcached engine = engine();
		ReplicatedSessionRepository repository = repository(engine, serializer.get());
		ReplicatedSession session = repository.createSession();
		session.setAttribute("SPRING_SECURITY_CONTEXT", signedIn("alice"));
		session.setAttribute("cart", new Cart(List.of("apple")));
		repository.save(session);
		for (int node = 0; node < 3; node++) {
			memcached.cluster().node(node).restartEmpty();
			awaitAllUp(engine);
			ReplicatedSession found = repository.findById(session.getId());
			assertThat(found).as("after node %d restarted empty", node).isNotNull();
			// Each save copies the whole session back to the empty replica.
			found.setAttribute("visits", node);
			repository.save(found);
		}
		ReplicatedSession survivor = repository(engine(), serializer.get()).findById(session.getId());
		assertThat(survivor).isNotNull();
		assertThat(survivor.<SecurityContext>getAttribute("SPRING_SECURITY_CONTEXT").getAuthentication().getName())
			.isEqualTo("alice");
		assertThat(survivor.<Cart>getAttribute("cart")).isEqualTo(new Cart(List.of("apple")));
		assertThat(survivor.<Integer>getAttribute("visits")).isEqualTo(2);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("serializers")
	void concurrentSavesFromTwoInstancesThatChangeDifferentAttributesAllPersist(String name,
			Supplier<SessionAttributeSerializer> serializer) throws Exception {
		List<ReplicatedSessionRepository> instances = List.of(repository(engine(), serializer.get()),
				repository(engine(), serializer.get()));
		ReplicatedSession session = instances.get(0).createSession();
		session.setAttribute("SPRING_SECURITY_CONTEXT", signedIn("bob"));
		instances.get(0).save(session);
		int requests = 12;
		ExecutorService executor = Executors.newFixedThreadPool(6);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> done = new ArrayList<>();
		for (int i = 0; i < requests; i++) {
			int n = i;
			ReplicatedSessionRepository instance = instances.get(i % 2);
			done.add(executor.submit(() -> {
				ReplicatedSession copy = instance.findById(session.getId());
				start.await();
				copy.setAttribute("attribute-" + n, new Cart(List.of("item-" + n)));
				copy.setLastAccessedTime(Instant.now());
				instance.save(copy);
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
			ReplicatedSession found = instances.get(1).findById(session.getId());
			for (int i = 0; i < requests; i++) {
				assertThat(found.<Cart>getAttribute("attribute-" + i)).isEqualTo(new Cart(List.of("item-" + i)));
			}
			assertThat(found.<SecurityContext>getAttribute("SPRING_SECURITY_CONTEXT").getAuthentication().getName())
				.isEqualTo("bob");
		});
	}

	private static SecurityContext signedIn(String username) {
		User user = new User(username, "", AuthorityUtils.createAuthorityList("ROLE_USER"));
		return new SecurityContextImpl(
				UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities()));
	}

	private static void awaitAllUp(ReplicatedMemcached engine) {
		await().atMost(Duration.ofSeconds(20))
			.until(() -> engine.nodeStatus()
				.stream()
				.allMatch((status) -> status.state() == NodeState.UP && status.pendingHints() == 0));
	}

	record Cart(List<String> items) implements java.io.Serializable {
	}

}
