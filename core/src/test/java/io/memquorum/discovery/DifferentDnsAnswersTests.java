package io.memquorum.discovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.memquorum.engine.MembershipStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAddress;
import io.memquorum.session.ReplicatedSession;
import io.memquorum.session.ReplicatedSessionRepository;
import io.memquorum.test.DnsmasqServer;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.OpenedInTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Two application instances whose DNS answers differ for a while: one already sees five
 * memcached pods, the other still three (each asks its own dnsmasq). What must hold: each
 * reads every session the other wrote, before, during and after the change, and a logout
 * on one is final on the other. Real dnsmasq, real memcached.
 */
class DifferentDnsAnswersTests {

	private static final String SERVICE = "_memcache._tcp.mc.test";

	@RegisterExtension
	final OpenedInTest opened = new OpenedInTest();

	@Test
	void anInstanceThatSeesFiveNodesAndOneThatStillSeesThreeReadEachOthersSessionsAndLogouts() {
		assumeThat(DnsmasqServer.locate()).as(DnsmasqServer.notInstalledMessage()).isNotNull();
		List<MemcachedNode> pods = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			pods.add(this.opened.open(MemcachedNode.start()));
		}
		DnsmasqServer dnsA = this.opened.open(DnsmasqServer.start());
		DnsmasqServer dnsB = this.opened.open(DnsmasqServer.start());
		List<String> targets = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			dnsA.setAddresses("mc-" + i + ".mc.test", "127.0.0.1");
			dnsB.setAddresses("mc-" + i + ".mc.test", "127.0.0.1");
			targets.add("mc-" + i + ".mc.test:" + pods.get(i).port());
		}
		dnsA.setServices(SERVICE, targets.subList(0, 3));
		dnsB.setServices(SERVICE, targets.subList(0, 3));
		ReplicatedMemcached a = engine(dnsA);
		ReplicatedMemcached b = engine(dnsB);
		ReplicatedSessionRepository sessionsA = new ReplicatedSessionRepository(a);
		ReplicatedSessionRepository sessionsB = new ReplicatedSessionRepository(b);
		Map<String, String> written = new LinkedHashMap<>();
		write(sessionsA, written, "a-before", 10);
		write(sessionsB, written, "b-before", 10);

		// Only A's DNS answers five pods now.
		dnsA.setServices(SERVICE, targets);
		await().atMost(Duration.ofSeconds(20)).until(() -> a.placement().nodes().size() == 5);
		assertThat(b.placement().nodes()).hasSize(3);
		write(sessionsA, written, "a-during", 20);
		write(sessionsB, written, "b-during", 20);
		assertReadsAll(sessionsA, written);
		assertReadsAll(sessionsB, written);
		assertLogoutIsFinal(sessionsA, sessionsB);
		assertLogoutIsFinal(sessionsB, sessionsA);
		assertThat(a.membership().phase()).as("A is still in its change").isNotEqualTo(MembershipStatus.Phase.STABLE);
		assertThat(b.placement().nodes()).as("B still sees three pods").hasSize(3);

		// B's answers catch up; both finish their change.
		dnsB.setServices(SERVICE, targets);
		await().atMost(Duration.ofSeconds(60))
			.until(() -> a.membership().phase() == MembershipStatus.Phase.STABLE
					&& b.membership().phase() == MembershipStatus.Phase.STABLE && b.placement().nodes().size() == 5);
		write(sessionsA, written, "a-after", 10);
		write(sessionsB, written, "b-after", 10);
		assertReadsAll(sessionsA, written);
		assertReadsAll(sessionsB, written);
		assertLogoutIsFinal(sessionsA, sessionsB);
		assertLogoutIsFinal(sessionsB, sessionsA);
	}

	private ReplicatedMemcached engine(DnsmasqServer dns) {
		NodeDiscovery discovery = this.opened.open(NodeDiscovery.of(List.of("dnssrv+" + SERVICE), dns.address(),
				Duration.ofMillis(300), Duration.ofMillis(200), Duration.ofSeconds(1)));
		List<String> nodes = discovery.start().stream().map(NodeAddress::toString).toList();
		ReplicatedMemcached engine = this.opened.open(ReplicatedMemcached.builder()
			.servers(nodes)
			.hostLookup(discovery)
			.replicationFactor(3)
			.operationTimeout(Duration.ofMillis(500))
			.refillCheckInterval(Duration.ofMillis(300))
			// Longer than B's answers lag behind A's in this test: the settle period
			// covers the time every instance takes to see a change.
			.membershipSettle(Duration.ofSeconds(15))
			.build());
		discovery.onChange((change) -> engine.updateNodes(discovery.nodes()));
		return engine;
	}

	private static void write(ReplicatedSessionRepository sessions, Map<String, String> written, String prefix,
			int count) {
		for (int i = 0; i < count; i++) {
			ReplicatedSession session = sessions.createSession();
			session.setAttribute("user", prefix + "-" + i);
			sessions.save(session);
			written.put(session.getId(), prefix + "-" + i);
		}
	}

	private static void assertReadsAll(ReplicatedSessionRepository sessions, Map<String, String> written) {
		written.forEach((id, user) -> {
			ReplicatedSession found = sessions.findById(id);
			assertThat(found).as("session of %s", user).isNotNull();
			assertThat((String) found.getAttribute("user")).isEqualTo(user);
		});
	}

	private static void assertLogoutIsFinal(ReplicatedSessionRepository on, ReplicatedSessionRepository other) {
		ReplicatedSession session = on.createSession();
		session.setAttribute("user", "leaving");
		on.save(session);
		assertThat(other.findById(session.getId())).isNotNull();
		on.deleteById(session.getId());
		assertThat(other.findById(session.getId())).as("a session logged out on the other instance").isNull();
	}

}
