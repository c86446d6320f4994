package io.memquorum.cache;

import java.time.Duration;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restart empty: a reactive retrieve of a cached key right after a node restarted empty
 * must complete, never hang.
 */
class RetrieveAfterRestartEmptyTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private ReplicatedMemcached engine;

	@AfterEach
	void close() {
		if (this.engine != null) {
			this.engine.close();
		}
	}

	@Test
	void aRetrieveRightAfterARestartEmptyCompletes() {
		this.engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofMillis(300))
			.build();
		MemquorumCache cache = new MemquorumCache("products", this.engine, MemquorumCacheConfiguration.defaults());
		for (int round = 0; round < 60; round++) {
			cache.put(round, "product " + round);
			memcached.cluster().node(round % 3).restartEmpty();
			// A miss is allowed (a read that fails is answered as a miss); a retrieve
			// that
			// never completes is not.
			assertThat(cache.retrieve(round)).as("round %d", round).succeedsWithin(Duration.ofSeconds(10));
		}
	}

}
