package io.memquorum.benchmarks.jmh;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.memquorum.benchmarks.KeyValueStore;
import com.hazelcast.spring.session.HazelcastIndexedSessionRepository;
import io.memquorum.benchmarks.servers.HazelcastCluster;
import io.memquorum.benchmarks.servers.RedisServer;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.WriteQuorum;
import io.memquorum.session.ReplicatedSessionRepository;
import io.memquorum.test.MemcachedCluster;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.data.redis.RedisSessionRepository;

/**
 * Measurement 3: one request's session work, as Spring Session's filter does it:
 * {@code findById}, touch the last access time, change one attribute, {@code save}. 16
 * threads over {@value #SESSIONS} sessions of five attributes (about 1 KB serialized).
 * {@code memquorum} is {@link ReplicatedSessionRepository} on three memcached nodes (R =
 * 3, majority writes; the session store reads a majority, whatever the engine's default);
 * the baseline {@code redis} is Spring Session's {@link RedisSessionRepository} with
 * Lettuce on a local redis-server, configured as Spring Boot does it (string keys and
 * hash keys, JDK-serialized values, one shared connection); target: memquorum reaches at
 * least 1.5 times its throughput. The baseline {@code hazelcast} (measurement 3h) is
 * Hazelcast's Spring Session store for Spring Session 4
 * ({@code com.hazelcast.spring:hazelcast-spring-session}) on three Hazelcast 5 members in
 * this JVM, the session map with one synchronous backup ({@link HazelcastCluster}), used
 * through the first member as an application embedding it would.
 *
 * <p>
 * Needs {@code redis-server} on the PATH or in /usr/bin ({@code apt-get install
 * redis-server}). Run it with the whole comparison: {@code benchmarks/run}. Alone, after
 * {@code ./mvnw -q -pl benchmarks -am package -DskipTests}: <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' org.openjdk.jmh.Main SessionCycleBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
// The --add-opens are the ones Hazelcast asks for at startup "to get the best
// performance".
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g", "-Dhazelcast.logging.type=slf4j", "--add-modules", "java.se",
		"--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
		"--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED",
		"--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED" })
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 4, time = 2)
public class SessionCycleBenchmark {

	static final int SESSIONS = 1000;

	/**
	 * Which store: {@code redis} (Spring Session on Redis), {@code hazelcast} (Spring
	 * Session on Hazelcast) or {@code memquorum}.
	 */
	@Param({ "redis", "memquorum", "hazelcast" })
	public String store = "memquorum";

	/**
	 * The session's size: {@code 1} is the five attributes alone (about 1 KB serialized);
	 * 10 and 50 (the session-size curve of {@code benchmarks/run curves}) add a sixth
	 * attribute, a {@code byte[]} that brings the session to that many KB. The request
	 * changes one small attribute either way.
	 */
	@Param({ "1" })
	public int sessionKilobytes = 1;

	/**
	 * The engine's operation timeout, milliseconds; its default, 250, in the row and the
	 * curve. A longer one filled the 1 GB heap with 50 KB sessions (docs/benchmarks.md,
	 * cost curves), so it is a parameter for looking into that, not for the published
	 * runs.
	 */
	@Param({ "250" })
	public int operationTimeoutMillis = 250;

	private String[] ids = new String[0];

	private @Nullable MemcachedCluster cluster;

	private KeyValueStore.@Nullable Memquorum engine;

	private @Nullable RedisServer redis;

	private @Nullable LettuceConnectionFactory connectionFactory;

	private @Nullable HazelcastCluster hazelcast;

	private @Nullable SessionRepository<Session> repository;

	@Setup(Level.Trial)
	public void startStoreAndCreateSessions() {
		this.repository = switch (this.store) {
			case "redis" -> redisRepository();
			case "memquorum" -> memquorumRepository();
			case "hazelcast" -> hazelcastRepository();
			default -> throw new IllegalArgumentException("Unknown store '" + this.store + "'");
		};
		// At most 20 MB of sessions, so that 50 KB sessions fit memcached's 64 MB per
		// node.
		this.ids = new String[Math.min(SESSIONS, 20 * 1024 / this.sessionKilobytes)];
		for (int i = 0; i < this.ids.length; i++) {
			Session session = this.repository.createSession();
			session.setAttribute("userProfile", profile(i));
			session.setAttribute("cart", cart(i));
			session.setAttribute("locale", Locale.UK);
			session.setAttribute("csrfToken", UUID.randomUUID().toString());
			session.setAttribute("lastPage", "/");
			if (this.sessionKilobytes > 1) {
				byte[] page = new byte[(this.sessionKilobytes - 1) * 1024];
				ThreadLocalRandom.current().nextBytes(page);
				session.setAttribute("renderedFragment", page);
			}
			this.repository.save(session);
			this.ids[i] = session.getId();
		}
		if (this.repository.findById(this.ids[0]) == null) {
			throw new IllegalStateException("Creating sessions failed: " + this.store + " did not find one");
		}
	}

	private SessionRepository<Session> redisRepository() {
		RedisServer redis = RedisServer.start();
		this.redis = redis;
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
		factory.afterPropertiesSet();
		factory.start();
		this.connectionFactory = factory;
		RedisTemplate<String, Object> template = new RedisTemplate<>();
		template.setConnectionFactory(factory);
		template.setKeySerializer(RedisSerializer.string());
		template.setHashKeySerializer(RedisSerializer.string());
		template.afterPropertiesSet();
		return cast(new RedisSessionRepository(template));
	}

	private SessionRepository<Session> hazelcastRepository() {
		HazelcastCluster cluster = HazelcastCluster.start();
		this.hazelcast = cluster;
		HazelcastIndexedSessionRepository repository = new HazelcastIndexedSessionRepository(cluster.member());
		repository.afterPropertiesSet();
		if (cluster.sessionBackupCount() != 1) {
			throw new IllegalStateException(
					"The session map has " + cluster.sessionBackupCount() + " backups, expected 1");
		}
		return cast(repository);
	}

	private SessionRepository<Session> memquorumRepository() {
		MemcachedCluster cluster = MemcachedCluster.start(3);
		this.cluster = cluster;
		KeyValueStore.Memquorum engine = KeyValueStore.memquorum(ReplicatedMemcached.builder()
			.servers(Arrays.asList(cluster.servers().split(",")))
			.writeQuorum(WriteQuorum.MAJORITY)
			.readConsistency(ReadConsistency.FIRST_HIT)
			.operationTimeout(Duration.ofMillis(this.operationTimeoutMillis))
			.build());
		this.engine = engine;
		return cast(new ReplicatedSessionRepository(engine.engine()));
	}

	@SuppressWarnings("unchecked")
	private static SessionRepository<Session> cast(SessionRepository<? extends Session> repository) {
		return (SessionRepository<Session>) repository;
	}

	private static Map<String, Object> profile(int i) {
		Map<String, Object> profile = new HashMap<>();
		profile.put("username", "user-" + i);
		profile.put("email", "user-" + i + "@example.com");
		profile.put("displayName", "Benchmark User Number " + i);
		profile.put("roles", new ArrayList<>(List.of("ROLE_USER", "ROLE_CUSTOMER")));
		profile.put("authenticatedAt", Instant.now());
		return profile;
	}

	private static List<String> cart(int i) {
		List<String> cart = new ArrayList<>();
		for (int item = 0; item < 5; item++) {
			cart.add("sku-" + (i * 7 + item) + "-standard-edition");
		}
		return cart;
	}

	/**
	 * One request: load the session, touch it, change one attribute, save it.
	 * @return the session, so that nothing is optimized away
	 */
	@Benchmark
	public Session requestCycle() {
		int n = ThreadLocalRandom.current().nextInt(this.ids.length);
		Session session = this.repository.findById(this.ids[n]);
		if (session == null) {
			throw new IllegalStateException("Session " + n + " vanished from " + this.store);
		}
		session.setLastAccessedTime(Instant.now());
		session.setAttribute("lastPage", "/catalog/page/" + ThreadLocalRandom.current().nextInt(100));
		this.repository.save(session);
		return session;
	}

	@Nullable MemcachedCluster cluster() {
		return this.cluster;
	}

	@Nullable RedisServer redis() {
		return this.redis;
	}

	@TearDown(Level.Trial)
	public void stopStore() {
		if (this.connectionFactory != null) {
			this.connectionFactory.destroy();
		}
		Stores.close(this.engine, this.cluster, this.redis, this.hazelcast);
	}

}
