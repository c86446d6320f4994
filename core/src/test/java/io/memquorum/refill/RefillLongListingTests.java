package io.memquorum.refill;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.TestEngines;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.memquorum.refill.RefillTesting.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A key listing that lasts far longer than the refill lease's TTL: the lease is renewed
 * while the listing streams, so the refill completes in one run, and a second engine on
 * the same nodes never copies at the same time.
 */
class RefillLongListingTests {

	private static final int ENTRIES = 2_000;

	/**
	 * Short, but with a second of slack over its renewal every third of it, so that a
	 * loaded machine does not lose it.
	 */
	private static final Duration LEASE_TTL = Duration.ofSeconds(3);

	/**
	 * Each listing (about 110 bytes per key) takes about 3.5 s through the slowed links,
	 * longer than the lease TTL, and the run reads four of them (two per peer).
	 */
	private static final long LINK_BYTES_PER_SECOND = 60_000;

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, RefillTesting::fast);

	private final List<TcpProxy> proxies = new ArrayList<>();

	@AfterEach
	void closeProxies() {
		this.proxies.forEach(TcpProxy::close);
	}

	@Test
	void aListingLongerThanTheLeaseTtlCompletesInOneRunWithOnlyOneOfTwoEnginesCopying() {
		List<String> servers = new ArrayList<>();
		for (MemcachedNode node : memcached.cluster().nodes()) {
			TcpProxy proxy = TcpProxy.to(node);
			this.proxies.add(proxy);
			servers.add(proxy.address());
		}
		RefillTesting.CopyCounter first = new RefillTesting.CopyCounter();
		RefillTesting.CopyCounter second = new RefillTesting.CopyCounter();
		ReplicatedMemcached one = this.engines
			.open((builder) -> builder.servers(servers).metrics(first).refillLeaseTtl(LEASE_TTL));
		ReplicatedMemcached two = this.engines
			.open((builder) -> builder.servers(servers).metrics(second).refillLeaseTtl(LEASE_TTL));
		RefillTesting.awaitEveryNodeComplete(one, Instant.EPOCH);
		RefillTesting.awaitEveryNodeComplete(two, Instant.EPOCH);
		RefillTesting.inBatches(ENTRIES, (i) -> one.setAsync("long:" + i, bytes("value " + i), Duration.ofMinutes(10)));
		for (MemcachedNode node : memcached.cluster().nodes()) {
			await().atMost(RefillTesting.SETTLE).until(() -> node.currentItems() >= ENTRIES + 1);
		}
		MemcachedNode restarted = memcached.cluster().node(1);
		String address = this.proxies.get(1).address();
		long runsBeforeByOne = first.runsOf(address);
		long runsBeforeByTwo = second.runsOf(address);
		this.proxies.forEach((proxy) -> proxy.throttle(LINK_BYTES_PER_SECOND));

		Instant restart = Instant.now();
		restarted.restartEmpty();
		await().atMost(Duration.ofSeconds(90))
			.untilAsserted(() -> assertThat(RefillTesting.refillOf(one, address).completedAt()).isAfter(restart));
		Duration took = Duration.between(restart, Instant.now());
		await().atMost(RefillTesting.SETTLE)
			.untilAsserted(() -> assertThat(RefillTesting.refillOf(two, address).completedAt()).isAfter(restart));

		assertThat(took).as("the refill outlasted the lease TTL by far").isGreaterThan(LEASE_TTL.multipliedBy(3));
		long copiedByOne = first.copiedTo(address);
		long copiedByTwo = second.copiedTo(address);
		assertThat(copiedByOne + copiedByTwo).isEqualTo(ENTRIES);
		assertThat(Math.min(copiedByOne, copiedByTwo)).as("entries copied by the engine without the lease").isZero();
		long runsByOne = first.runsOf(address) - runsBeforeByOne;
		long runsByTwo = second.runsOf(address) - runsBeforeByTwo;
		assertThat(List.of(runsByOne, runsByTwo)).as("refill runs of the restarted node (one, two)")
			.containsExactlyInAnyOrder(1L, 0L);
		long stores = Long.parseLong(restarted.stats().get("cmd_set").trim());
		assertThat(stores).as("storage commands on the restarted node").isBetween((long) ENTRIES, ENTRIES + 100L);
		List<String> keys = new ArrayList<>();
		for (int i = 0; i < ENTRIES; i++) {
			keys.add("long:" + i);
		}
		assertThat(RefillTesting.missingOn(restarted, keys)).isEmpty();
	}

}
