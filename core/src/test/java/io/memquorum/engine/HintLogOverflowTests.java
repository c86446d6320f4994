package io.memquorum.engine;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static io.memquorum.engine.TestEngines.bytes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The overflow of a hint log is cleared only by a cure (a verification, a flush) that
 * started after every dropped hint.
 */
class HintLogOverflowTests {

	private final HintLog log = new HintLog(1, 1 << 20);

	private void miss(String key) {
		this.log.add(key, Envelope.value(System.nanoTime(), 0, bytes("v")), EntryMerge.NEWEST_WINS);
	}

	@Test
	void aDroppedHintMakesTheNodeOweEveryKeyUntilACureThatStartedAfterItCompletes() {
		miss("a");
		miss("b");
		assertThat(this.log.isOverflowed()).isTrue();
		assertThat(this.log.owes("c")).isTrue();
		HintLog.Coverage verification = this.log.coverFromNow();
		this.log.covered(verification);
		assertThat(this.log.isOverflowed()).isFalse();
		assertThat(this.log.owes("c")).isFalse();
		assertThat(this.log.owes("a")).as("a kept hint is still owed").isTrue();
	}

	@Test
	void aHintDroppedWhileAVerificationRunsKeepsTheLogOverflowed() {
		miss("a");
		miss("b");
		HintLog.Coverage verification = this.log.coverFromNow();
		miss("c");
		this.log.covered(verification);
		assertThat(this.log.isOverflowed()).isTrue();
		this.log.covered(this.log.coverFromNow());
		assertThat(this.log.isOverflowed()).isFalse();
	}

	@Test
	void anOverflowIsDatedFromItsFirstDropAndAVerificationMovesTheDateToItsOwnStart() {
		assertThat(this.log.overflowedLongerThan(Duration.ZERO)).isFalse();
		miss("a");
		miss("b");
		assertThat(this.log.overflowedLongerThan(Duration.ZERO)).isTrue();
		assertThat(this.log.overflowedLongerThan(Duration.ofHours(1))).isFalse();
		this.log.covered(this.log.coverFromNow());
		assertThat(this.log.overflowedLongerThan(Duration.ZERO)).isFalse();
	}

	@Test
	void aRequiredFlushIsClearedOnlyByAFlushNotByAVerification() {
		this.log.requireFlush();
		assertThat(this.log.isOverflowed()).isTrue();
		this.log.covered(this.log.coverFromNow());
		assertThat(this.log.isOverflowed()).isTrue();
		this.log.flushed(this.log.coverFromNow());
		assertThat(this.log.isOverflowed()).isFalse();
		assertThat(this.log.flushRequired()).isFalse();
	}

}
