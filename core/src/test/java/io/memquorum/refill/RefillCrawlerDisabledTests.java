package io.memquorum.refill;

import java.time.Duration;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.TestEngines;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.MemcachedOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import static io.memquorum.refill.RefillTesting.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * memcached started with {@code -o no_lru_crawler} cannot list its keys: refill says so
 * once, and everything else works as without refill.
 */
class RefillCrawlerDisabledTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3,
			MemcachedOptions.defaults().withExtraArguments("-o", "no_lru_crawler"));

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, RefillTesting::fast);

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	private final Logger refillLogger = (Logger) LoggerFactory.getLogger(Refill.class);

	@BeforeEach
	void captureLog() {
		this.log.start();
		this.refillLogger.addAppender(this.log);
	}

	@AfterEach
	void releaseLog() {
		this.refillLogger.detachAppender(this.log);
	}

	@Test
	void withTheCrawlerDisabledRefillWarnsOnceAndReadsWritesAndRestartsWorkAsBefore() {
		RefillTesting.CopyCounter metrics = new RefillTesting.CopyCounter();
		ReplicatedMemcached engine = this.engines.open((builder) -> builder.metrics(metrics));
		await().atMost(RefillTesting.SETTLE)
			.untilAsserted(() -> assertThat(engine.refillStatus())
				.allSatisfy((status) -> assertThat(status.phase()).isEqualTo(RefillStatus.Phase.INCOMPLETE)));
		for (int i = 0; i < 100; i++) {
			engine.set("plain:" + i, bytes("value " + i), Duration.ofMinutes(10));
		}
		MemcachedNode restarted = memcached.cluster().node(1);
		long runsBefore = metrics.runsOf(restarted.address());
		restarted.restartEmpty();
		for (int i = 0; i < 100; i++) {
			assertThat(engine.get("plain:" + i)).as("plain:%d", i).asString().isEqualTo("value " + i);
		}
		engine.delete("plain:0");
		assertThat(engine.get("plain:0")).isNull();
		// The restarted node is tried again, and fails the same way: still one warning.
		await().atMost(RefillTesting.SETTLE).until(() -> metrics.runsOf(restarted.address()) > runsBefore);

		List<ILoggingEvent> warnings = this.log.list.stream()
			.filter((event) -> event.getLevel() == Level.WARN)
			.toList();
		assertThat(warnings).hasSize(1);
		assertThat(warnings.get(0).getFormattedMessage()).contains("-o no_lru_crawler").contains("cannot refill");
		assertThat(engine.refillStatus()).allSatisfy((status) -> {
			assertThat(status.phase()).isIn(RefillStatus.Phase.INCOMPLETE, RefillStatus.Phase.REFILLING);
			assertThat(status.completedAt()).isNull();
		});
		assertThat(RefillTesting.refillOf(engine, restarted.address()).problem()).contains("lru crawler disabled");
		for (MemcachedNode node : memcached.cluster().nodes()) {
			assertThat(node.rawGet("#m:complete")).as("no marker on %s", node).isNull();
		}
	}

}
