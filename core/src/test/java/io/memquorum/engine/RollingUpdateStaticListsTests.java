package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.memquorum.session.ReplicatedSession;
import io.memquorum.session.ReplicatedSessionRepository;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.SigningKeys;
import io.memquorum.test.MemcachedCluster;
import io.memquorum.test.OpenedInTest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rolling update of the application that changes a static server list: old instances
 * list three memcached nodes, new ones five (the same three and two more), and both serve
 * at once. Each learns the other's node set from the records published on the nodes
 * ({@link NodeSetRecords}) and keeps both placements in force. What must hold: no session
 * or cache entry written by either is lost, on either, during the update or after the old
 * instances are gone; a logout on one is final on the other. And the fault "hostile
 * bytes": with signing keys, a forged (unsigned) record is ignored. Real memcached.
 */
class RollingUpdateStaticListsTests {

	private static final String SECRET = "c2lnbmluZy1zZWNyZXQtb2YtdGhpcnR5LXR3by1ieXRlcyE=";

	@RegisterExtension
	final OpenedInTest opened = new OpenedInTest();

	private ReplicatedMemcached engine(List<String> servers, @Nullable EntrySigner signer) {
		return this.opened.open(ReplicatedMemcached.builder()
			.servers(servers)
			.replicationFactor(3)
			.operationTimeout(Duration.ofMillis(500))
			.refillCheckInterval(Duration.ofMillis(300))
			.nodeSetRecords(Duration.ofMillis(200))
			.membershipSettle(Duration.ofSeconds(1))
			.signer(signer)
			.build());
	}

	@Test
	void oldInstancesOnThreeNodesAndNewOnesOnFiveLoseNoSessionAndKeepLogoutsFinal() throws Exception {
		MemcachedCluster cluster = this.opened.open(MemcachedCluster.start(5));
		ReplicatedMemcached old = engine(cluster.addresses().subList(0, 3), null);
		ReplicatedSessionRepository oldSessions = new ReplicatedSessionRepository(old);
		Map<String, String> written = new LinkedHashMap<>();
		Map<String, String> entries = new LinkedHashMap<>();
		write(oldSessions, written, "old-before", 20);
		cache(old, entries, "old-before", 100);

		ReplicatedMemcached updated = engine(cluster.addresses(), null);
		assertThat(updated.membership().placements())
			.as("a new instance sees the old instance's node set before it serves")
			.isEqualTo(2);
		assertThat(updated.membership().otherNodeSets()).singleElement()
			.satisfies((nodes) -> assertThat(nodes).hasSize(3));
		await().atMost(Duration.ofSeconds(10)).until(() -> old.membership().placements() == 2);
		ReplicatedSessionRepository updatedSessions = new ReplicatedSessionRepository(updated);
		write(updatedSessions, written, "new-during", 20);
		write(oldSessions, written, "old-during", 20);
		cache(updated, entries, "new-during", 100);
		cache(old, entries, "old-during", 100);
		assertReadsAll(oldSessions, written);
		assertReadsAll(updatedSessions, written);
		assertCacheReadsAll(old, entries);
		assertCacheReadsAll(updated, entries);
		assertLogoutIsFinal(oldSessions, updatedSessions);
		assertLogoutIsFinal(updatedSessions, oldSessions);

		// The rolling update is over: the old instance stops, its record expires, and the
		// new one drops the three-node placement once the two new nodes are filled.
		this.opened.closeNow(old);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> updated.membership().phase() == MembershipStatus.Phase.STABLE);
		assertThat(updated.membership().placements()).isEqualTo(1);
		assertThat(updated.placement().nodes()).hasSize(5);
		assertReadsAll(updatedSessions, written);
		assertCacheReadsAll(updated, entries);
		assertLogoutIsFinal(updatedSessions, updatedSessions);
	}

	@Test
	void withSigningKeysAForgedNodeSetRecordIsIgnored() {
		MemcachedCluster cluster = this.opened.open(MemcachedCluster.start(3));
		String key = new KeyEncoder("mq:").internalKey(NodeSetRecords.NAME);
		String forged = "nodeset instance=forged r=3 until=" + (System.currentTimeMillis() + 600_000)
				+ " nodes=127.0.0.1:1,127.0.0.1:2,127.0.0.1:3";
		cluster.nodes().forEach((node) -> node.rawSet(key, forged.getBytes(StandardCharsets.UTF_8), 0, 600));
		EntrySigner signer = new EntrySigner(SigningKeys.of(List.of(SECRET)));
		ReplicatedMemcached signed = this.opened.open(ReplicatedMemcached.builder()
			.servers(cluster.addresses())
			.keyPrefix("mq:")
			.operationTimeout(Duration.ofMillis(500))
			.nodeSetRecords(Duration.ofMillis(200))
			.signer(signer)
			.build());
		assertThat(signed.membership().otherNodeSets()).isEmpty();
		assertThat(signed.membership().placements()).isEqualTo(1);
		signed.set("still-writable", new byte[] { 1 }, Duration.ofMinutes(1));
		// Control: the same record, unsigned, is trusted by an engine without keys, as
		// memcached is (so the check above is what kept it out).
		cluster.nodes().forEach((node) -> node.rawSet(key, forged.getBytes(StandardCharsets.UTF_8), 0, 600));
		try (ReplicatedMemcached unsigned = ReplicatedMemcached.builder()
			.servers(cluster.addresses())
			.keyPrefix("mq:")
			.operationTimeout(Duration.ofMillis(200))
			.connectTimeout(Duration.ofMillis(300))
			.nodeSetRecords(Duration.ofMinutes(1))
			.build()) {
			assertThat(unsigned.membership().otherNodeSets()).isNotEmpty();
		}
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

	private static void cache(ReplicatedMemcached engine, Map<String, String> entries, String prefix, int count) {
		for (int i = 0; i < count; i++) {
			engine.set(prefix + "-" + i, (prefix + "-value-" + i).getBytes(StandardCharsets.UTF_8),
					Duration.ofMinutes(10));
			entries.put(prefix + "-" + i, prefix + "-value-" + i);
		}
	}

	private static void assertReadsAll(ReplicatedSessionRepository sessions, Map<String, String> written) {
		written.forEach((id, user) -> {
			ReplicatedSession found = sessions.findById(id);
			assertThat(found).as("session of %s", user).isNotNull();
			assertThat((String) found.getAttribute("user")).isEqualTo(user);
		});
	}

	private static void assertCacheReadsAll(ReplicatedMemcached engine, Map<String, String> entries) {
		entries.forEach((key, value) -> assertThat(engine.get(key)).as("entry %s", key)
			.isEqualTo(value.getBytes(StandardCharsets.UTF_8)));
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
