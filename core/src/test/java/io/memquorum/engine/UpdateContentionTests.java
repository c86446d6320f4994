package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many concurrent {@code update}s of one key, as a burst of requests of one HTTP session
 * produces.
 */
class UpdateContentionTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@Test
	void thirtyTwoConcurrentUpdatesOfOneKeyAllSurvive() {
		try (ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofSeconds(1))
			.build()) {
			engine.set("counter", new byte[0], Duration.ofMinutes(1));
			List<CompletableFuture<Boolean>> updates = new ArrayList<>();
			for (int i = 0; i < 32; i++) {
				String mark = "[" + i + "]";
				updates
					.add(engine.updateAsync("counter", (current) -> (new String(current, StandardCharsets.UTF_8) + mark)
						.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(1)));
			}
			CompletableFuture.allOf(updates.toArray(CompletableFuture[]::new)).join();
			String encoded = engine.keyEncoder().encode("counter");
			for (int node = 0; node < 3; node++) {
				int replica = node;
				// The write quorum has answered; the last replica may still be merging.
				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
					String merged = new String(
							Envelope.decode(Envelope.FLAGS, memcached.cluster().node(replica).rawGet(encoded))
								.payload(),
							StandardCharsets.UTF_8);
					for (int i = 0; i < 32; i++) {
						assertThat(merged).contains("[" + i + "]");
					}
				});
			}
		}
	}

}
