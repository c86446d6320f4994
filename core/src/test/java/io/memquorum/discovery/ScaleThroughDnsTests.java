package io.memquorum.discovery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.memquorum.engine.MembershipStatus;
import io.memquorum.engine.ReplicaEntry;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAddress;
import io.memquorum.refill.RefillStatus;
import io.memquorum.session.ReplicatedSession;
import io.memquorum.session.ReplicatedSessionRepository;
import io.memquorum.test.DnsmasqServer;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.OpenedInTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Scaling a memcached StatefulSet from 3 pods to 5 and back to 3 by editing the SRV
 * records, under concurrent writes and reads of cache entries and sessions. What must
 * hold: the engine follows the DNS answers without a restart, 0 operations fail, 0 cache
 * entries and 0 sessions are lost (every one reads back its last value once only the
 * final three pods remain, the two removed ones killed), a logout stays final, and the
 * nodes whose replica sets changed were refilled. Real dnsmasq, real memcached.
 */
class ScaleThroughDnsTests {

	private static final Logger logger = LoggerFactory.getLogger(ScaleThroughDnsTests.class);

	private static final String SERVICE = "_memcache._tcp.mc.test";

	@RegisterExtension
	final OpenedInTest opened = new OpenedInTest();

	@Test
	void scalingFromThreeToFiveToThreePodsUnderLoadLosesNothingAndFailsNothing() throws Exception {
		assumeThat(DnsmasqServer.locate()).as(DnsmasqServer.notInstalledMessage()).isNotNull();
		DnsmasqServer dns = this.opened.open(DnsmasqServer.start());
		List<MemcachedNode> pods = new ArrayList<>();
		List<String> targets = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			MemcachedNode pod = this.opened.open(MemcachedNode.start());
			pods.add(pod);
			dns.setAddresses("mc-" + i + ".mc.test", "127.0.0.1");
			targets.add("mc-" + i + ".mc.test:" + pod.port());
		}
		dns.setServices(SERVICE, targets.subList(0, 3));
		NodeDiscovery discovery = this.opened.open(NodeDiscovery.of(List.of("dnssrv+" + SERVICE), dns.address(),
				Duration.ofMillis(300), Duration.ofMillis(200), Duration.ofSeconds(1)));
		List<String> nodes = discovery.start().stream().map(NodeAddress::toString).toList();
		ReplicatedMemcached engine = this.opened.open(ReplicatedMemcached.builder()
			.servers(nodes)
			.hostLookup(discovery)
			.replicationFactor(3)
			.operationTimeout(Duration.ofMillis(500))
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(300))
			.refillCheckInterval(Duration.ofMillis(300))
			.membershipSettle(Duration.ofSeconds(3))
			.build());
		discovery.onChange((change) -> engine.updateNodes(discovery.nodes()));
		ReplicatedSessionRepository sessions = new ReplicatedSessionRepository(engine);
		Map<String, String> entries = new ConcurrentHashMap<>();
		Map<String, String> liveSessions = new ConcurrentHashMap<>();
		Set<String> loggedOut = ConcurrentHashMap.newKeySet();
		for (int i = 0; i < 300; i++) {
			engine.set("before-" + i, bytes("value-" + i), Duration.ofMinutes(10));
			entries.put("before-" + i, "value-" + i);
		}
		for (int i = 0; i < 30; i++) {
			saveSession(sessions, liveSessions, "user-before-" + i);
		}

		Load load = new Load(engine, sessions, entries, liveSessions, loggedOut);
		load.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> load.operations.get() > 200);

		// Scale up: two more pods in the SRV answer.
		long upAt = System.nanoTime();
		long opsBeforeUp = load.operations.get();
		dns.setServices(SERVICE, targets);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> engine.placement().nodes().size() == 5 && pods.get(3).currentItems() > 0);
		long upTakingWrites = millisSince(upAt);
		await().atMost(Duration.ofSeconds(60))
			.until(() -> engine.membership().phase() == MembershipStatus.Phase.STABLE
					&& engine.placement().nodes().size() == 5);
		long upSettled = millisSince(upAt);
		assertThat(refilled(engine, 3)).as("the joining pods were filled from the old owners").isPositive();
		assertThat(refilled(engine, 4)).isPositive();
		await().atMost(Duration.ofSeconds(10)).until(() -> load.operations.get() > opsBeforeUp + 400);

		// Scale down: the two highest ordinals leave, as a StatefulSet scales down.
		long downAt = System.nanoTime();
		long opsBeforeDown = load.operations.get();
		dns.setServices(SERVICE, targets.subList(0, 3));
		await().atMost(Duration.ofSeconds(60))
			.until(() -> engine.membership().phase() == MembershipStatus.Phase.STABLE
					&& engine.placement().nodes().size() == 3);
		long downSettled = millisSince(downAt);
		await().atMost(Duration.ofSeconds(10)).until(() -> load.operations.get() > opsBeforeDown + 400);
		load.stop();
		pods.get(3).kill();
		pods.get(4).kill();

		assertThat(load.failures).as("operations that failed while scaling").isEmpty();
		assertThat(load.misses).as("entries or sessions a read did not find while scaling").isEmpty();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> engine.nodeStatus().stream().allMatch((node) -> node.readable()));
		// Refill, not read repair, put them there: every remaining pod holds every entry
		// (three pods, three replicas), those written while five pods served included.
		List<String> notOnEveryPod = new ArrayList<>();
		entries.keySet().forEach((key) -> {
			if (!engine.inspect(key).stream().allMatch((replica) -> replica.holds() == ReplicaEntry.Holding.VALUE)) {
				notOnEveryPod.add(key);
			}
		});
		List<String> lost = new ArrayList<>();
		entries.forEach((key, value) -> {
			byte[] read = engine.get(key);
			if (read == null || !new String(read, StandardCharsets.UTF_8).equals(value)) {
				lost.add(key);
			}
		});
		List<String> lostSessions = new ArrayList<>();
		liveSessions.forEach((id, user) -> {
			ReplicatedSession found = sessions.findById(id);
			if (found == null || !user.equals(found.getAttribute("user"))) {
				lostSessions.add(id);
			}
		});
		List<String> cameBack = loggedOut.stream().filter((id) -> sessions.findById(id) != null).toList();
		logger.info(
				"3 -> 5 -> 3 under load: {} operations, {} entries, {} sessions ({} logged out); DNS change to a new "
						+ "pod taking writes {} ms, scale-up settled {} ms, scale-down settled {} ms; lost {} entries, "
						+ "{} sessions; {} failed operations",
				load.operations.get(), entries.size(), liveSessions.size(), loggedOut.size(), upTakingWrites, upSettled,
				downSettled, lost.size(), lostSessions.size(), load.failures.size());
		assertThat(notOnEveryPod).as("entries some remaining pod lacks").isEmpty();
		assertThat(lost).as("cache entries lost").isEmpty();
		assertThat(lostSessions).as("sessions lost").isEmpty();
		assertThat(cameBack).as("logged-out sessions that came back").isEmpty();
		assertThat(engine.membership().history()).hasSize(2)
			.allSatisfy((change) -> assertThat(change.finishedAt()).isNotNull());
	}

	private static long refilled(ReplicatedMemcached engine, int pod) {
		return engine.refillStatus()
			.stream()
			.filter((status) -> status.address().host().equals("mc-" + pod + ".mc.test"))
			.filter((status) -> status.phase() == RefillStatus.Phase.COMPLETE)
			.mapToLong(RefillStatus::copied)
			.sum();
	}

	private static String saveSession(ReplicatedSessionRepository sessions, Map<String, String> live, String user) {
		ReplicatedSession session = sessions.createSession();
		session.setAttribute("user", user);
		sessions.save(session);
		live.put(session.getId(), user);
		return session.getId();
	}

	private static long millisSince(long nanos) {
		return (System.nanoTime() - nanos) / 1_000_000;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Two threads write and read cache entries, one saves, reads and logs out sessions.
	 */
	private static final class Load {

		final AtomicLong operations = new AtomicLong();

		final List<String> failures = new CopyOnWriteArrayList<>();

		final List<String> misses = new CopyOnWriteArrayList<>();

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final List<Thread> threads = new ArrayList<>();

		private final ReplicatedMemcached engine;

		private final ReplicatedSessionRepository sessions;

		private final Map<String, String> entries;

		private final Map<String, String> liveSessions;

		private final Set<String> loggedOut;

		Load(ReplicatedMemcached engine, ReplicatedSessionRepository sessions, Map<String, String> entries,
				Map<String, String> liveSessions, Set<String> loggedOut) {
			this.engine = engine;
			this.sessions = sessions;
			this.entries = entries;
			this.liveSessions = liveSessions;
			this.loggedOut = loggedOut;
		}

		void start() {
			for (int t = 0; t < 2; t++) {
				int thread = t;
				this.threads.add(new Thread(() -> cache(thread), "load-cache-" + t));
			}
			this.threads.add(new Thread(this::sessions, "load-sessions"));
			this.threads.forEach(Thread::start);
		}

		void stop() throws InterruptedException {
			this.running.set(false);
			for (Thread thread : this.threads) {
				thread.join(10_000);
			}
		}

		/**
		 * A few hundred operations a second per thread: a steady application load, not a
		 * benchmark, so that the refills of a change copy thousands of entries, not
		 * millions.
		 */
		private static void pace() {
			LockSupport.parkNanos(4_000_000);
		}

		private void cache(int thread) {
			List<String> written = new ArrayList<>(this.entries.keySet());
			for (int i = 0; this.running.get(); i++) {
				String key = "load-" + thread + "-" + i;
				String value = "v-" + i;
				try {
					this.engine.set(key, bytes(value), Duration.ofMinutes(10));
					this.entries.put(key, value);
					written.add(key);
					String other = written.get(ThreadLocalRandom.current().nextInt(written.size()));
					if (this.engine.get(other) == null) {
						this.misses.add(other);
					}
					this.operations.addAndGet(2);
				}
				catch (RuntimeException ex) {
					this.failures.add(key + ": " + ex);
				}
				pace();
			}
		}

		private void sessions() {
			List<String> ids = new ArrayList<>(this.liveSessions.keySet());
			for (int i = 0; this.running.get(); i++) {
				try {
					ids.add(saveSession(this.sessions, this.liveSessions, "user-" + i));
					String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
					if (this.sessions.findById(id) == null) {
						this.misses.add("session " + id.substring(0, 6));
					}
					if (i % 10 == 9) {
						String leaving = ids.remove(ids.size() - 1);
						this.sessions.deleteById(leaving);
						this.liveSessions.remove(leaving);
						this.loggedOut.add(leaving);
					}
					this.operations.addAndGet(2);
				}
				catch (RuntimeException ex) {
					this.failures.add("session: " + ex);
				}
				pace();
			}
		}

	}

}
