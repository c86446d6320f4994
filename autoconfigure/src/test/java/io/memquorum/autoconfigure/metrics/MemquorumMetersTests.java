package io.memquorum.autoconfigure.metrics;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.memquorum.autoconfigure.MemquorumAutoConfiguration;
import io.memquorum.autoconfigure.cache.MemquorumCacheAutoConfiguration;
import io.memquorum.autoconfigure.session.MemquorumSessionAutoConfiguration;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.session.ReplicatedSession;
import io.memquorum.session.ReplicatedSessionRepository;
import io.memquorum.session.SessionStoreUnavailableException;
import io.memquorum.test.MemcachedClusterExtension;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.session.autoconfigure.SessionAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The cache and session meters that docs/configuration.md and docs/sessions.md list, and
 * the engine's meters, as an auto-configured application with Micrometer gets them:
 * registered in the application's {@link MeterRegistry}, and moving when their event
 * happens on real memcached (kill, pause, hostile bytes, a class outside the allow-list,
 * a logout under a request that read the session before it).
 */
class MemquorumMetersTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private WebApplicationContextRunner runner() {
		return new WebApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(MemquorumAutoConfiguration.class, MemquorumCacheAutoConfiguration.class,
							CacheAutoConfiguration.class, MemquorumSessionAutoConfiguration.class,
							SessionAutoConfiguration.class, MetricsAutoConfiguration.class,
							SimpleMetricsExportAutoConfiguration.class, CacheMetricsAutoConfiguration.class))
			.withPropertyValues("memquorum.servers=" + memcached.cluster().servers(),
					"memquorum.operation-timeout=300ms", "memquorum.probe-interval=50ms",
					"memquorum.max-probe-interval=400ms", "memquorum.restart-check-interval=300ms",
					"memquorum.reconnect-interval=200ms", "memquorum.max-item-size=1KB",
					"memquorum.cache.cache-names=books");
	}

	@Test
	void theEngineMetersAreRegisteredInTheApplicationsRegistry() {
		runner().run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.find("memquorum.node.state").gauges()).hasSize(3);
			assertThat(registry.find("memquorum.hints.pending").gauges()).hasSize(3);
			assertThat(registry.find("memquorum.refill.active").gauges()).hasSize(3);
			assertThat(registry.find("memquorum.refill.progress").gauges()).hasSize(3);
			context.getBean(ReplicatedMemcached.class).set("k", new byte[] { 1 }, Duration.ZERO);
			assertThat(registry.find("memquorum.node.operations").tag("outcome", "success").timers()).isNotEmpty();
		});
	}

	@Test
	void cacheGetsPutsAndEvictionsCountWhatTheCacheDid() {
		runner().run((context) -> {
			Cache books = cache(context);
			assertThat(books.get("isbn-1")).isNull();
			books.put("isbn-1", "Dune");
			assertThat(books.get("isbn-1").get()).isEqualTo("Dune");
			books.evict("isbn-1");
			assertThat(cacheMeter(context, "cache.gets", "result", "miss")).isEqualTo(1.0);
			assertThat(cacheMeter(context, "cache.gets", "result", "hit")).isEqualTo(1.0);
			assertThat(cacheMeter(context, "cache.puts")).isEqualTo(1.0);
			assertThat(cacheMeter(context, "cache.evictions")).isEqualTo(1.0);
		});
	}

	@Test
	void cacheUnreadableCountsAStoredValueOfAClassOutsideTheAllowList() {
		runner().run((context) -> {
			Cache books = cache(context);
			books.put("isbn-2", new NotAllowed("x"));
			assertThat(cacheMeter(context, "cache.unreadable")).isZero();
			assertThat(books.get("isbn-2")).isNull();
			assertThat(cacheMeter(context, "cache.unreadable")).isEqualTo(1.0);
		});
	}

	@Test
	void cacheOversizedCountsAValueLargerThanTheItemSizeLimitAndCachesNothing() {
		runner().run((context) -> {
			Cache books = cache(context);
			books.put("isbn-3", "x".repeat(4096));
			assertThat(cacheMeter(context, "cache.oversized")).isEqualTo(1.0);
			assertThat(books.get("isbn-3")).isNull();
		});
	}

	@Test
	void cacheDegradedCountsAPutSkippedWhenTwoOfThreeNodesAreKilled() {
		runner().run((context) -> {
			Cache books = cache(context);
			memcached.cluster().node(1).kill();
			memcached.cluster().node(2).kill();
			// With pass-through-on-failure (the default) the put is skipped, not raised.
			books.put("isbn-4", "Emma");
			assertThat(cacheMeter(context, "cache.degraded")).isPositive();
			assertThat(cacheMeter(context, "cache.puts")).isZero();
		});
	}

	@Test
	void cacheLeaseWaitsCountsALoadThatWaitedForAnotherInstancesLease() {
		WebApplicationContextRunner leased = runner().withPropertyValues("memquorum.cache.lease-ttl=10s");
		leased.run((first) -> leased.run((second) -> {
			CountDownLatch loading = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			CompletableFuture<Object> firstLoad = CompletableFuture.supplyAsync(() -> cache(first).get("isbn-5", () -> {
				loading.countDown();
				release.await(10, TimeUnit.SECONDS);
				return "Persuasion";
			}));
			assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
			CompletableFuture<Object> secondLoad = CompletableFuture
				.supplyAsync(() -> cache(second).get("isbn-5", () -> "loaded twice"));
			await().until(() -> cacheMeter(second, "cache.lease.waits") == 1.0);
			release.countDown();
			assertThat(firstLoad.get(10, TimeUnit.SECONDS)).isEqualTo("Persuasion");
			assertThat(secondLoad.get(10, TimeUnit.SECONDS)).isEqualTo("Persuasion");
			assertThat(cacheMeter(first, "cache.lease.waits")).isZero();
		}));
	}

	@Test
	void sessionUnreadableCountsCraftedBytesUnderASessionKeyAndTheSessionReadsAsAbsent() {
		runner().run((context) -> {
			ReplicatedSessionRepository sessions = context.getBean(ReplicatedSessionRepository.class);
			ReplicatedSession session = sessions.createSession();
			session.setAttribute("user", "ada");
			sessions.save(session);
			context.getBean(ReplicatedMemcached.class)
				.set("session:" + sha256(session.getId()), "crafted".getBytes(StandardCharsets.UTF_8),
						Duration.ofMinutes(5));
			assertThat(sessions.findById(session.getId())).isNull();
			assertThat(sessionMeter(context, "memquorum.session.unreadable")).isEqualTo(1.0);
		});
	}

	@Test
	void sessionAttributesUnreadableCountsOnlyTheAttributeOutsideTheAllowListAndTheRestOfTheSessionStays() {
		runner().run((context) -> {
			ReplicatedSessionRepository sessions = context.getBean(ReplicatedSessionRepository.class);
			ReplicatedSession session = sessions.createSession();
			session.setAttribute("user", "ada");
			session.setAttribute("cart", new NotAllowed("book"));
			sessions.save(session);
			ReplicatedSession read = sessions.findById(session.getId());
			assertThat(read).isNotNull();
			assertThat(sessionMeter(context, "memquorum.session.attributes.unreadable")).isZero();
			assertThat((Object) read.getAttribute("cart")).isNull();
			assertThat((String) read.getAttribute("user")).isEqualTo("ada");
			assertThat(sessionMeter(context, "memquorum.session.attributes.unreadable")).isEqualTo(1.0);
			assertThat(sessionMeter(context, "memquorum.session.unreadable")).isZero();
		});
	}

	@Test
	void sessionUnreachableCountsALookupThatNoReplicaCouldAnswerWhenEveryNodeIsKilled() {
		runner().run((context) -> {
			ReplicatedSessionRepository sessions = context.getBean(ReplicatedSessionRepository.class);
			memcached.cluster().nodes().forEach((node) -> node.kill());
			assertThatExceptionOfType(SessionStoreUnavailableException.class)
				.isThrownBy(() -> sessions.findById("no-replica-answers"));
			assertThat(sessionMeter(context, "memquorum.session.unreachable")).isEqualTo(1.0);
		});
	}

	@Test
	void sessionAccessDeferredCountsALastAccessUpdateSkippedWhileTwoOfThreeNodesAreKilled() {
		runner().run((context) -> {
			ReplicatedSessionRepository sessions = context.getBean(ReplicatedSessionRepository.class);
			ReplicatedSession session = sessions.createSession();
			session.setAttribute("user", "ada");
			sessions.save(session);
			await().until(() -> memcached.cluster()
				.nodes()
				.stream()
				.allMatch((node) -> node.rawGet("session:" + sha256(session.getId())) != null));
			memcached.cluster().node(1).kill();
			memcached.cluster().node(2).kill();
			ReplicatedSession read = sessions.findById(session.getId());
			assertThat(read).isNotNull();
			read.setLastAccessedTime(Instant.now());
			sessions.save(read);
			assertThat(sessionMeter(context, "memquorum.session.access.deferred")).isEqualTo(1.0);
		});
	}

	@Test
	void sessionResurrectionsPreventedCountsASaveOfASessionReadBeforeItsLogout() {
		runner().run((context) -> {
			ReplicatedSessionRepository sessions = context.getBean(ReplicatedSessionRepository.class);
			ReplicatedSession session = sessions.createSession();
			session.setAttribute("user", "ada");
			sessions.save(session);
			ReplicatedSession lateRequest = sessions.findById(session.getId());
			sessions.deleteById(session.getId());
			lateRequest.setAttribute("cart", "book");
			sessions.save(lateRequest);
			assertThat(sessionMeter(context, "memquorum.session.resurrections.prevented")).isEqualTo(1.0);
			assertThat(sessions.findById(session.getId())).isNull();
		});
	}

	private static Cache cache(AssertableWebApplicationContext context) {
		return context.getBean(CacheManager.class).getCache("books");
	}

	private static double cacheMeter(AssertableWebApplicationContext context, String name, String... tags) {
		MeterRegistry registry = context.getBean(MeterRegistry.class);
		FunctionCounter counter = registry.find(name).tag("cache", "books").tags(tags).functionCounter();
		if (counter != null) {
			return counter.count();
		}
		return registry.get(name).tag("cache", "books").tags(tags).counter().count();
	}

	private static double sessionMeter(AssertableWebApplicationContext context, String name) {
		return context.getBean(MeterRegistry.class).get(name).functionCounter().count();
	}

	private static String sha256(String value) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A value of a class that neither the cache nor the session allow-list admits. */
	record NotAllowed(String name) implements Serializable {
	}

}
