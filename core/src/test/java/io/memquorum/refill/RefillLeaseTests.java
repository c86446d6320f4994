package io.memquorum.refill;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeConnection;
import io.memquorum.node.NodeIncarnation;
import io.memquorum.signing.LineSigner;
import io.memquorum.signing.SigningKeys;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The refill lease against a real memcached node: one holder at a time, takeover after
 * the holder stops renewing, a lease that dies with the node's process, and a lease that
 * does not count (hostile bytes: forged, copied from a peer, replayed past its time) is
 * taken over at once.
 */
class RefillLeaseTests {

	private static final String KEY = "lease-test#m:refill-lease";

	private static final LineSigner LEASES = new LineSigner(
			SigningKeys.of(List.of("c2lnbmluZy1zZWNyZXQtb2YtdGhpcnR5LXR3by1ieXRlcyE=")), LineSigner.LEASE);

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(1);

	private NodeConnection connection;

	@BeforeEach
	void connect() throws Exception {
		this.connection = new NodeConnection(NodeAddress.parse(memcached.cluster().addresses().get(0)),
				Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(100));
		memcached.cluster().node(0).flushAll();
	}

	@AfterEach
	void close() {
		this.connection.close();
	}

	private RefillLease lease(String owner) {
		return new RefillLease(() -> this.connection, KEY, owner, Duration.ofSeconds(2), Duration.ofSeconds(2));
	}

	@Test
	void onlyOneInstanceHoldsTheLeaseAndOnlyTheHolderCanRenewIt() {
		RefillLease first = lease("first");
		RefillLease second = lease("second");
		assertThat(first.tryAcquire()).isTrue();
		assertThat(second.tryAcquire()).isFalse();
		assertThat(second.renew()).isFalse();
		assertThat(first.renew()).isTrue();
		second.release();
		assertThat(second.tryAcquire()).isFalse();
		first.release();
		assertThat(second.tryAcquire()).isTrue();
	}

	@Test
	void aRenewalWhoseAnswerTimedOutButThatMemcachedStoredKeepsTheLease() {
		// Fault: the node hangs (SIGSTOP) after answering the renewal's read and before
		// answering its compare-and-swap, which it stores once it continues.
		MemcachedNode node = memcached.cluster().node(0);
		AtomicInteger pauseAtCall = new AtomicInteger(-1);
		AtomicLong clock = new AtomicLong(System.currentTimeMillis());
		RefillLease lease = new RefillLease(() -> {
			if (pauseAtCall.decrementAndGet() == 0) {
				node.pause();
			}
			return this.connection;
		}, KEY, "holder", Duration.ofSeconds(30), Duration.ofMillis(300), null, null, clock::get);
		assertThat(lease.tryAcquire()).isTrue();
		byte[] before = this.connection.gets(KEY).join().data();
		// A later second: the renewal's value differs from the one taken.
		clock.addAndGet(5_000);
		try {
			// renew() asks for the connection to read the lease, to name the node in
			// the new value, then to send the compare-and-swap: hang before the third.
			pauseAtCall.set(3);
			assertThatThrownBy(lease::renew).isInstanceOf(RefillException.class);
		}
		finally {
			node.resume();
		}
		await().atMost(Duration.ofSeconds(5))
			.until(() -> !Arrays.equals(this.connection.gets(KEY).join().data(), before));
		assertThat(lease.renew()).isTrue();
		// Released as its holder's: deleted.
		lease.release();
		assertThat(this.connection.gets(KEY).join()).isNull();
	}

	@Test
	void aHolderThatStopsRenewingLosesTheLeaseToAnotherInstanceWhenItExpires() {
		RefillLease dead = lease("dead");
		RefillLease survivor = lease("survivor");
		assertThat(dead.tryAcquire()).isTrue();
		long start = System.nanoTime();
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(survivor::tryAcquire);
		// memcached counts lifetimes in whole seconds: a 2 s lease lasts more than 1 s.
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(900));
		assertThat(dead.renew()).isFalse();
	}

	@Test
	void withSigningKeysAForgedLeaseWithoutExpiryIsTakenOverAtOnce() {
		MemcachedNode node = memcached.cluster().node(0);
		// Right in every field but the signature: only the keys tell it apart.
		NodeIncarnation life = life();
		String forged = "owner=forger node=" + node.address() + " pid=" + life.pid() + " started="
				+ life.startedAtSeconds() + " until=" + (System.currentTimeMillis() / 1000 + 2);
		node.rawSet(KEY, forged.getBytes(StandardCharsets.US_ASCII), 0, 0);
		assertThat(boundLease("without-keys", null).tryAcquire()).as("honored by an instance without keys").isFalse();
		assertThat(boundLease("honest", LEASES).tryAcquire()).isTrue();
		assertThat(boundLease("other", LEASES).tryAcquire()).as("the honest lease holds others off").isFalse();
	}

	@Test
	void withSigningKeysAPeersSignedLeaseCopiedOntoTheNodeIsTakenOverAtOnce() {
		MemcachedNode node = memcached.cluster().node(0);
		RefillLease onPeer = new RefillLease(() -> this.connection, KEY, "peer", Duration.ofSeconds(2),
				Duration.ofSeconds(2), new NodeIncarnation(1, 1_700_000_000L), LEASES, System::currentTimeMillis);
		assertThat(onPeer.tryAcquire()).isTrue();
		byte[] copied = node.rawGet(KEY);
		node.flushAll();
		node.rawSet(KEY, copied, 0, 0);
		assertThat(boundLease("honest", LEASES).tryAcquire()).isTrue();
	}

	@Test
	void aReplayedLeaseWhoseUntilHasPassedIsTakenOverEvenWithoutKeys() {
		MemcachedNode node = memcached.cluster().node(0);
		RefillLease earlier = new RefillLease(() -> this.connection, KEY, "earlier", Duration.ofSeconds(2),
				Duration.ofSeconds(2), life(), null, () -> System.currentTimeMillis() - 60_000);
		assertThat(earlier.tryAcquire()).isTrue();
		byte[] replayed = node.rawGet(KEY);
		node.flushAll();
		node.rawSet(KEY, replayed, 0, 0);
		assertThat(boundLease("honest", null).tryAcquire()).isTrue();
	}

	private RefillLease boundLease(String owner, @Nullable LineSigner signer) {
		return new RefillLease(() -> this.connection, KEY, owner, Duration.ofSeconds(2), Duration.ofSeconds(2), life(),
				signer, System::currentTimeMillis);
	}

	private static NodeIncarnation life() {
		return NodeIncarnation.of(memcached.cluster().node(0).stats());
	}

	@Test
	void theLeaseDiesWithTheNodeProcessSoItsHolderNoticesARestart() {
		RefillLease holder = lease("holder");
		assertThat(holder.tryAcquire()).isTrue();
		MemcachedNode node = memcached.cluster().node(0);
		node.restartEmpty();
		await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(() -> !holder.renew());
	}

}
