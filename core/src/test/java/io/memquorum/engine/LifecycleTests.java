package io.memquorum.engine;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LifecycleTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@Test
	void closeLeavesNoThreadsAndNoConnectionsBehind() {
		Set<Thread> before = Thread.getAllStackTraces().keySet();
		long connectionsBefore = openConnections();
		ReplicatedMemcached engine = ReplicatedMemcached.builder().servers(memcached.cluster().addresses()).build();
		engine.set("k", new byte[] { 1 }, Duration.ZERO);
		assertThat(engine.get("k")).isNotNull();
		assertThat(startedSince(before)).isNotEmpty();
		assertThat(openConnections()).isGreaterThan(connectionsBefore);
		engine.close();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(startedSince(before)).isEmpty());
		await().atMost(Duration.ofSeconds(10)).until(() -> openConnections() == connectionsBefore);
	}

	private static Set<String> startedSince(Set<Thread> before) {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> !before.contains(thread) && thread.isAlive())
			// JDK-internal helpers (the CompletableFuture delayer, common pool) outlive
			// any user.
			.filter((thread) -> !thread.getName().startsWith("CompletableFutureDelayScheduler")
					&& !thread.getName().startsWith("ForkJoinPool") && !thread.getName().startsWith("awaitility"))
			.map(Thread::getName)
			.collect(Collectors.toSet());
	}

	private static long openConnections() {
		return memcached.cluster()
			.nodes()
			.stream()
			.mapToLong((node) -> Long.parseLong(node.stats().get("curr_connections")))
			.sum();
	}

}
