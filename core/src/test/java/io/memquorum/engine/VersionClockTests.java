package io.memquorum.engine;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VersionClockTests {

	@Test
	void aVersionIsNewerThanEveryVersionItsWriterObservedEvenFromAClockASecondAhead() {
		AtomicLong fastWall = new AtomicLong(1_000_000_000_000L + 1000);
		AtomicLong slowWall = new AtomicLong(1_000_000_000_000L);
		VersionClock fast = new VersionClock(fastWall::get);
		VersionClock slow = new VersionClock(slowWall::get);
		long written = fast.next();
		assertThat(slow.next()).as("without observing, the slow clock orders by wall clock").isLessThan(written);
		slow.observe(written);
		assertThat(slow.next()).isGreaterThan(written);
		assertThat(VersionClock.millisOf(slow.next())).isEqualTo(fastWall.get());
	}

	@Test
	void versionsStrictlyIncreaseAndFollowTheWallClockOnceItOvertakes() {
		AtomicLong wall = new AtomicLong(5_000);
		VersionClock clock = new VersionClock(wall::get);
		long a = clock.next();
		long b = clock.next();
		assertThat(b).isGreaterThan(a);
		wall.set(6_000);
		assertThat(VersionClock.millisOf(clock.next())).isEqualTo(6_000);
	}

	@Test
	void aVersionFarInTheFutureIsNotObserved() {
		AtomicLong wall = new AtomicLong(1_000_000);
		VersionClock clock = new VersionClock(wall::get);
		clock.observe(Long.MAX_VALUE - 1);
		assertThat(VersionClock.millisOf(clock.next())).isEqualTo(1_000_000);
	}

}
