package io.memquorum.refill;

import java.time.Duration;
import java.util.List;

import io.memquorum.node.NodeAddress;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node whose refill did not complete is checked again after an interval that doubles up
 * to a cap, or at once when the peers it waited for are back, or when something made it
 * worth checking now.
 */
class RetryScheduleTests {

	private static final NodeAddress NODE = NodeAddress.parse("127.0.0.1:11211");

	private static final NodeAddress PEER = NodeAddress.parse("127.0.0.1:11212");

	private final RetrySchedule schedule = new RetrySchedule(Duration.ofSeconds(1), Duration.ofSeconds(3));

	@Test
	void aNodeNeverRetriedIsDue() {
		assertThat(this.schedule.isDue(NODE, System.nanoTime(), (peer) -> false)).isTrue();
	}

	@Test
	void theIntervalDoublesUpToTheCap() {
		long start = System.nanoTime();
		this.schedule.retryLater(NODE);
		assertThat(this.schedule.isDue(NODE, start, (peer) -> false)).isFalse();
		assertThat(this.schedule.isDue(NODE, start + seconds(1.5), (peer) -> false)).isTrue();
		this.schedule.retryLater(NODE);
		assertThat(this.schedule.isDue(NODE, start + seconds(1.5), (peer) -> false)).isFalse();
		assertThat(this.schedule.isDue(NODE, start + seconds(2.5), (peer) -> false)).isTrue();
		this.schedule.retryLater(NODE);
		this.schedule.retryLater(NODE);
		// 1, 2, 4 capped at 3: due within 3 s of the last retry, not 8.
		assertThat(this.schedule.isDue(NODE, System.nanoTime() + seconds(3.5), (peer) -> false)).isTrue();
	}

	@Test
	void aNodeWaitingForPeersIsDueOnceTheyAreAllBack() {
		long start = System.nanoTime();
		this.schedule.retryLater(NODE);
		this.schedule.waitFor(NODE, List.of(PEER));
		assertThat(this.schedule.waitsForPeers(NODE, (peer) -> false)).isTrue();
		assertThat(this.schedule.isDue(NODE, start, (peer) -> false)).isFalse();
		assertThat(this.schedule.waitsForPeers(NODE, (peer) -> true)).isFalse();
		assertThat(this.schedule.isDue(NODE, start, (peer) -> true)).isTrue();
		this.schedule.stopWaiting(NODE);
		assertThat(this.schedule.isDue(NODE, start, (peer) -> true)).isFalse();
	}

	@Test
	void aNodeMadeDueNowStartsItsIntervalAgain() {
		this.schedule.retryLater(NODE);
		this.schedule.retryLater(NODE);
		this.schedule.dueNow(NODE);
		long now = System.nanoTime();
		assertThat(this.schedule.isDue(NODE, now, (peer) -> false)).isTrue();
		this.schedule.retryLater(NODE);
		assertThat(this.schedule.isDue(NODE, System.nanoTime() + seconds(1.5), (peer) -> false)).isTrue();
	}

	@Test
	void forgettingANodeDropsItsPeersAndItsInterval() {
		this.schedule.retryLater(NODE);
		this.schedule.waitFor(NODE, List.of(PEER));
		this.schedule.forget(NODE);
		assertThat(this.schedule.waitsForPeers(NODE, (peer) -> false)).isFalse();
		assertThat(this.schedule.isDue(NODE, System.nanoTime(), (peer) -> false)).isTrue();
	}

	private static long seconds(double seconds) {
		return (long) (seconds * 1e9);
	}

}
