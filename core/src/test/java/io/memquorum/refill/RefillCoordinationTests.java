package io.memquorum.refill;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.TestEngines;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.memquorum.refill.RefillTesting.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two application instances (engines) on the same nodes: one refills a node incarnation,
 * and when it dies mid-way the other finishes.
 */
class RefillCoordinationTests {

	private static final int ENTRIES = 3_000;

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, RefillTesting::fast);

	private void writeAndSettle(ReplicatedMemcached engine) {
		RefillTesting.inBatches(ENTRIES,
				(i) -> engine.setAsync("shared:" + i, bytes("value " + i), Duration.ofMinutes(10)));
		for (MemcachedNode node : memcached.cluster().nodes()) {
			await().atMost(RefillTesting.SETTLE).until(() -> node.currentItems() >= ENTRIES + 1);
		}
	}

	@Test
	void withTwoEnginesOnlyOneCopiesARestartedNodeAndBothSeeItComplete() {
		RefillTesting.CopyCounter first = new RefillTesting.CopyCounter();
		RefillTesting.CopyCounter second = new RefillTesting.CopyCounter();
		ReplicatedMemcached one = this.engines.open((builder) -> builder.metrics(first));
		ReplicatedMemcached two = this.engines.open((builder) -> builder.metrics(second));
		RefillTesting.awaitEveryNodeComplete(one, Instant.EPOCH);
		RefillTesting.awaitEveryNodeComplete(two, Instant.EPOCH);
		writeAndSettle(one);
		MemcachedNode restarted = memcached.cluster().node(1);

		Instant restart = Instant.now();
		restarted.restartEmpty();
		RefillTesting.awaitComplete(one, restarted, restart);
		RefillTesting.awaitComplete(two, restarted, restart);

		long copiedByOne = first.copiedTo(restarted.address());
		long copiedByTwo = second.copiedTo(restarted.address());
		assertThat(copiedByOne + copiedByTwo).isEqualTo(ENTRIES);
		assertThat(Math.min(copiedByOne, copiedByTwo)).as("entries copied by the engine without the lease").isZero();
		// The node's own count of storage commands since it started: the copies, plus a
		// few lease and marker commands; two copiers would have sent about twice as many.
		long stores = Long.parseLong(restarted.stats().get("cmd_set").trim());
		assertThat(stores).isBetween((long) ENTRIES, ENTRIES + 100L);
		assertThat(RefillTesting.missingOn(restarted, keys())).isEmpty();
	}

	@Test
	void whenTheEngineCopyingANodeIsClosedMidWayTheOtherEngineFinishesTheRefill() {
		ReplicatedMemcached one = this.engines.open((builder) -> builder.refillEntriesPerSecond(1_500));
		ReplicatedMemcached two = this.engines.open((builder) -> builder.refillEntriesPerSecond(1_500));
		RefillTesting.awaitEveryNodeComplete(one, Instant.EPOCH);
		RefillTesting.awaitEveryNodeComplete(two, Instant.EPOCH);
		writeAndSettle(one);
		MemcachedNode restarted = memcached.cluster().node(2);

		Instant restart = Instant.now();
		restarted.restartEmpty();
		await().atMost(RefillTesting.SETTLE)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> isCopying(one, restarted) || isCopying(two, restarted));
		ReplicatedMemcached copier = isCopying(one, restarted) ? one : two;
		ReplicatedMemcached survivor = (copier == one) ? two : one;
		copier.close();
		assertThat(RefillTesting.keysOn(restarted).size()).as("entries copied before the copier died")
			.isLessThan(ENTRIES);

		RefillTesting.awaitComplete(survivor, restarted, restart);
		assertThat(RefillTesting.missingOn(restarted, keys())).isEmpty();
	}

	private static List<String> keys() {
		List<String> keys = new ArrayList<>();
		for (int i = 0; i < ENTRIES; i++) {
			keys.add("shared:" + i);
		}
		return keys;
	}

	private static boolean isCopying(ReplicatedMemcached engine, MemcachedNode node) {
		RefillStatus status = RefillTesting.refillOf(engine, node.address());
		return status.phase() == RefillStatus.Phase.REFILLING && status.examined() >= 300;
	}

}
