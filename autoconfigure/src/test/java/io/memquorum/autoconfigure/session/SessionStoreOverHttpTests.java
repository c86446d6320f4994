package io.memquorum.autoconfigure.session;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.memquorum.engine.NodeState;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.session.ReplicatedSessionRepository;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The session store behind a real web application with form login, on embedded Tomcat,
 * reached over HTTP with cookies, while memcached nodes restart empty, die or pause.
 */
class SessionStoreOverHttpTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private static ConfigurableApplicationContext app;

	private static ExecutorService users;

	@BeforeAll
	static void startApplication() {
		app = start(ReadConsistency.FIRST_HIT);
		users = Executors.newFixedThreadPool(16);
	}

	@AfterAll
	static void stopApplication() {
		users.shutdownNow();
		app.close();
	}

	@BeforeEach
	void awaitHealthyEngine() {
		awaitAllUp(app);
	}

	static ConfigurableApplicationContext start(ReadConsistency readConsistency) {
		return new SpringApplicationBuilder(SessionTestApplication.class)
			.properties("server.port=0", "spring.main.banner-mode=off",
					"test.memcached.servers=" + memcached.cluster().servers(),
					"test.read-consistency=" + readConsistency.name(), "server.servlet.session.timeout=45m",
					"memquorum.session.allowed-packages=io.memquorum.autoconfigure.session")
			.run();
	}

	private static int port(ConfigurableApplicationContext context) {
		return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	private static Browser browser() {
		return new Browser(port(app));
	}

	private static void awaitAllUp(ConfigurableApplicationContext context) {
		ReplicatedMemcached engine = context.getBean(ReplicatedMemcached.class);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> engine.nodeStatus()
				.stream()
				.allMatch((status) -> status.state() == NodeState.UP && status.pendingHints() == 0));
	}

	private static <T> List<T> inParallel(List<Browser> browsers, Function<Browser, T> request) throws Exception {
		List<Future<T>> futures = new ArrayList<>();
		for (Browser browser : browsers) {
			futures.add(users.submit(() -> request.apply(browser)));
		}
		List<T> results = new ArrayList<>();
		for (Future<T> future : futures) {
			results.add(future.get(60, TimeUnit.SECONDS));
		}
		return results;
	}

	private static void assertAllAuthenticated(List<Browser> browsers) throws Exception {
		List<String> answers = inParallel(browsers, (browser) -> {
			HttpResponse<String> response = browser.get("/me");
			return response.statusCode() + " " + response.body();
		});
		List<String> expected = new ArrayList<>();
		for (int i = 0; i < browsers.size(); i++) {
			expected.add("200 user-" + i);
		}
		assertThat(answers).containsExactlyElementsOf(expected);
	}

	@Test
	void withTheWriteQuorumLostReadingRequestsAnswer200AndChangingRequestsGetA503WithRetryAfter() {
		Browser browser = browser();
		assertThat(browser.login("erin").statusCode()).isEqualTo(200);
		assertThat(browser.post("/attributes", "name=color&value=blue").statusCode()).isEqualTo(200);
		// Saves return at quorum: wait until the node that survives holds the session.
		ReplicatedSessionRepository repository = app.getBean(ReplicatedSessionRepository.class);
		ReplicatedMemcached engine = app.getBean(ReplicatedMemcached.class);
		String key = engine.keyEncoder().encode(repository.getKeyPrefix() + sha256(browser.sessionId()));
		await().until(() -> memcached.cluster().node(2).keys().contains(key));
		// Two of three nodes die: no write can reach its quorum.
		memcached.cluster().node(0).kill();
		memcached.cluster().node(1).kill();
		for (int i = 0; i < 3; i++) {
			assertThat(browser.get("/me").body()).isEqualTo("erin");
			HttpResponse<String> read = browser.get("/attributes");
			assertThat(read.statusCode()).isEqualTo(200);
			assertThat(read.body()).contains("blue");
		}
		// Once the engine knows, a change writes nothing at all rather than a part.
		await().until(() -> !engine.isWriteQuorumReachable());
		for (HttpResponse<String> change : List.of(browser.post("/attributes", "name=color&value=red"),
				browser.post("/logout", ""), browser().login("frank"))) {
			assertThat(change.statusCode()).isEqualTo(503);
			assertThat(change.headers().firstValue("Retry-After")).hasValue("5");
			assertThat(change.body()).isEqualTo(
					"The session store cannot save changes right now (too few memcached nodes answer); please retry shortly.\n");
		}
		// Nothing changed, and the user is still signed in.
		assertThat(browser.get("/attributes").body()).contains("blue").doesNotContain("red");
		assertThat(browser.get("/me").body()).isEqualTo("erin");
	}

	@Test
	void aThousandSessionsStayLoggedInWhileEachNodeRestartsEmptyInTurn() throws Exception {
		List<Browser> browsers = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			browsers.add(browser());
		}
		Map<Browser, Integer> numbers = new java.util.concurrent.ConcurrentHashMap<>();
		for (int i = 0; i < browsers.size(); i++) {
			numbers.put(browsers.get(i), i);
		}
		assertThat(inParallel(browsers, (browser) -> browser.login("user-" + numbers.get(browser)).statusCode()))
			.containsOnly(200);
		assertAllAuthenticated(browsers);
		for (int node = 0; node < 3; node++) {
			memcached.cluster().node(node).restartEmpty();
			assertAllAuthenticated(browsers);
			awaitAllUp(app);
		}
		assertAllAuthenticated(browsers);
		assertThat(memcached.cluster().node(2).currentItems()).isGreaterThanOrEqualTo(1000);
	}

	@Test
	void killingANodeDuringConcurrentAuthenticatedRequestsFailsNoRequest() throws Exception {
		List<Browser> browsers = new ArrayList<>();
		for (int i = 0; i < 32; i++) {
			Browser browser = browser();
			assertThat(browser.login("user-" + i).statusCode()).isEqualTo(200);
			browsers.add(browser);
		}
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicInteger completed = new AtomicInteger();
		ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
		List<Future<?>> load = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			int thread = t;
			load.add(users.submit(() -> {
				int n = 0;
				while (running.get()) {
					Browser browser = browsers.get((thread * 4 + n % 4));
					HttpResponse<String> response = (n % 2 == 0) ? browser.get("/me")
							: browser.post("/attributes", "name=a" + thread + "&value=" + n);
					if (response.statusCode() != 200) {
						failures.add(response.statusCode() + " " + response.body());
					}
					completed.incrementAndGet();
					n++;
				}
				return null;
			}));
		}
		await().until(() -> completed.get() > 200);
		memcached.cluster().node(1).kill();
		int atKill = completed.get();
		await().atMost(Duration.ofSeconds(60)).until(() -> completed.get() > atKill + 600);
		running.set(false);
		for (Future<?> future : load) {
			future.get(30, TimeUnit.SECONDS);
		}
		assertThat(failures).isEmpty();
		for (int i = 0; i < browsers.size(); i++) {
			assertThat(browsers.get(i).get("/me").body()).isEqualTo("user-" + i);
		}
	}

	@ParameterizedTest
	@EnumSource(ReadConsistency.class)
	void aLogoutWhileAReplicaIsPausedStaysFinalAfterItResumes(ReadConsistency readConsistency) {
		ConfigurableApplicationContext context = (readConsistency == ReadConsistency.FIRST_HIT) ? app
				: start(readConsistency);
		try {
			Browser browser = new Browser(port(context));
			assertThat(browser.login("dave").statusCode()).isEqualTo(200);
			assertThat(browser.get("/me").body()).isEqualTo("dave");
			String loggedInCookie = browser.sessionCookie();
			MemcachedNode paused = memcached.cluster().node(2);
			paused.pause();
			assertThat(browser.post("/logout", "").statusCode()).isEqualTo(200);
			paused.resume();
			Browser thief = new Browser(port(context));
			for (int i = 0; i < 10; i++) {
				thief.sessionCookie(loggedInCookie);
				assertThat(thief.get("/me").statusCode()).isEqualTo(401);
			}
			awaitAllUp(context);
			for (int i = 0; i < 20; i++) {
				thief.sessionCookie(loggedInCookie);
				assertThat(thief.get("/me").statusCode()).isEqualTo(401);
			}
		}
		finally {
			if (context != app) {
				context.close();
			}
		}
	}

	@Test
	void onEmbeddedTomcatTheSessionTimeoutFallsBackToTheServletSessionTimeout() {
		assertThat(app.getBean(ReplicatedSessionRepository.class).getDefaultMaxInactiveInterval())
			.isEqualTo(Duration.ofMinutes(45));
	}

	@Test
	void thePreLoginSessionIdNoLongerWorksAfterLogin() {
		Browser browser = browser();
		assertThat(browser.get("/public/ping").body()).isEqualTo("pong");
		String preLogin = browser.sessionCookie();
		assertThat(preLogin).isNotNull();
		assertThat(browser.login("erin").statusCode()).isEqualTo(200);
		assertThat(browser.sessionCookie()).isNotNull().isNotEqualTo(preLogin);
		assertThat(browser.get("/me").body()).isEqualTo("erin");
		Browser attacker = browser();
		attacker.sessionCookie(preLogin);
		assertThat(attacker.get("/me").statusCode()).isEqualTo(401);
	}

	@Test
	void parallelRequestsSettingDifferentAttributesOfOneSessionAllPersist() throws Exception {
		Browser browser = browser();
		assertThat(browser.login("frank").statusCode()).isEqualTo(200);
		List<Future<Integer>> requests = new ArrayList<>();
		for (int i = 0; i < 24; i++) {
			int n = i;
			requests.add(
					users.submit(() -> browser.post("/attributes", "name=attribute" + n + "&value=" + n).statusCode()));
		}
		for (Future<Integer> request : requests) {
			assertThat(request.get(30, TimeUnit.SECONDS)).isEqualTo(200);
		}
		// Every request got its write quorum; a replica may still be merging the last
		// writes of the burst (FIRST_HIT is not read-your-writes across replicas), so
		// wait until they settled, then every read must see every attribute.
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			String attributes = browser.get("/attributes").body();
			for (int i = 0; i < 24; i++) {
				assertThat(attributes).contains("\"attribute" + i + "\":\"" + i + "\"");
			}
		});
		awaitAllUp(app);
		for (int round = 0; round < 20; round++) {
			String attributes = browser.get("/attributes").body();
			for (int i = 0; i < 24; i++) {
				assertThat(attributes).as("round " + round).contains("\"attribute" + i + "\":\"" + i + "\"");
			}
		}
	}

	@Test
	void thePrincipalIndexFindsEverySessionOfAUserAndStopsListingLoggedOutOnes() {
		List<Browser> browsers = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			Browser browser = browser();
			assertThat(browser.login("grace").statusCode()).isEqualTo(200);
			browsers.add(browser);
		}
		assertThat(browsers.get(0).get("/sessions?user=grace").body()).isEqualTo("3");
		assertThat(browsers.get(2).post("/logout", "").statusCode()).isEqualTo(200);
		assertThat(browsers.get(0).get("/sessions?user=grace").body()).isEqualTo("2");
		assertThat(app.getBean(ReplicatedSessionRepository.class).findByPrincipalName("grace")).hasSize(2);
	}

	@Test
	void anAttributeWrittenWithAClassThatLaterChangedReadsAsAbsentNotAnErrorAndTheSessionStays() {
		Browser browser = browser();
		assertThat(browser.post("/public/cart", "item=book").statusCode()).isEqualTo(200);
		assertThat(browser.get("/public/cart").body()).isEqualTo("book");
		String before = browser.sessionCookie();
		ReplicatedSessionRepository repository = app.getBean(ReplicatedSessionRepository.class);
		long unreadable = repository.getUnreadableAttributeCount();
		changeCartClassVersion(browser.sessionId());
		HttpResponse<String> response = browser.get("/public/cart");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("none");
		assertThat(browser.sessionCookie()).isEqualTo(before);
		assertThat(repository.getUnreadableAttributeCount()).isGreaterThan(unreadable);
	}

	/**
	 * Rewrite the stored session as if it had been written by a build whose {@code Cart}
	 * class had another serialVersionUID.
	 */
	private static void changeCartClassVersion(String sessionId) {
		ReplicatedMemcached engine = app.getBean(ReplicatedMemcached.class);
		String key = ReplicatedSessionRepository.DEFAULT_KEY_PREFIX + sha256(sessionId);
		// The last request's save returned at its write quorum: wait until it settled on
		// every replica, so that it cannot land after the rewrite below and bring the old
		// bytes back through its merge.
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			List<io.memquorum.engine.ReplicaEntry> replicas = engine.inspect(key);
			return replicas.stream().map(io.memquorum.engine.ReplicaEntry::version).distinct().count() == 1;
		});
		byte[] payload = engine.get(key);
		assertThat(payload).isNotNull();
		byte[] className = SessionTestApplication.Cart.class.getName().getBytes(StandardCharsets.UTF_8);
		int at = indexOf(payload, className);
		assertThat(at).isPositive();
		for (int i = 0; i < 8; i++) {
			payload[at + className.length + i] ^= (byte) 0xFF;
		}
		engine.set(key, payload, Duration.ofMinutes(30));
		// The set returns at its write quorum; the next request may read any replica, so
		// wait until every replica holds the rewritten version.
		long rewritten = engine.inspect(key)
			.stream()
			.mapToLong(io.memquorum.engine.ReplicaEntry::version)
			.max()
			.orElseThrow();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> engine.inspect(key).stream().allMatch((replica) -> replica.version() == rewritten));
	}

	private static int indexOf(byte[] haystack, byte[] needle) {
		outer: for (int i = 0; i <= haystack.length - needle.length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (haystack[i + j] != needle[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	private static String sha256(String value) {
		try {
			return java.util.HexFormat.of()
				.formatHex(java.security.MessageDigest.getInstance("SHA-256")
					.digest(value.getBytes(StandardCharsets.UTF_8)));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
