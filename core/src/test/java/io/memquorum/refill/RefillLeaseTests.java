package io.memquorum.refill;

import java.time.Duration;

import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeConnection;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The refill lease against a real memcached node: one holder at a time, takeover after
 * the holder stops renewing, and a lease that dies with the node's process.
 */
class RefillLeaseTests {

	private static final String KEY = "lease-test#m:refill-lease";

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
	void theLeaseDiesWithTheNodeProcessSoItsHolderNoticesARestart() {
		RefillLease holder = lease("holder");
		assertThat(holder.tryAcquire()).isTrue();
		MemcachedNode node = memcached.cluster().node(0);
		node.restartEmpty();
		await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(() -> !holder.renew());
	}

}
