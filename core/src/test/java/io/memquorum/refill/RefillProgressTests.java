package io.memquorum.refill;

import java.time.Duration;

import io.memquorum.node.NodeAddress;
import io.memquorum.refill.RefillStatus.Phase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What health, metrics and the progress log read while a refill runs: rates, ETA and the
 * progress line.
 */
class RefillProgressTests {

	private static final long SECOND = 1_000_000_000L;

	private final RefillProgress progress = new RefillProgress(NodeAddress.parse("127.0.0.1:11212"), Phase.UNKNOWN);

	@Test
	void aRunningRefillReportsItsRateAndTheTimeItStillNeeds() {
		long start = 5 * SECOND;
		this.progress.started(start);
		this.progress.total = 100_000;
		this.progress.examined = 20_000;
		this.progress.copiedBytes = 20_000L * 1024;
		this.progress.tick(start + 2 * SECOND, 12_000, "");
		RefillStatus status = this.progress.status();
		assertThat(status.phase()).isEqualTo(Phase.REFILLING);
		assertThat(status.entriesPerSecond()).isEqualTo(10_000);
		assertThat(status.bytesPerSecond()).isEqualTo(10_000 * 1024);
		assertThat(status.eta()).isEqualTo(Duration.ofSeconds(8));
		assertThat(status.copiedBytes()).isEqualTo(20_000L * 1024);
	}

	@Test
	void theRateIsAMovingAverageSoThatOneSlowSecondDoesNotSwingTheEta() {
		long start = 5 * SECOND;
		this.progress.started(start);
		this.progress.total = 100_000;
		this.progress.examined = 10_000;
		this.progress.tick(start + SECOND, 0, "");
		this.progress.examined = 10_000;
		this.progress.tick(start + 2 * SECOND, 0, "");
		assertThat(this.progress.status().entriesPerSecond()).isEqualTo(5_000);
	}

	@Test
	void noEtaBeforeTheFirstRateNorOnceTheRefillIsOver() {
		this.progress.started(0);
		this.progress.total = 100;
		assertThat(this.progress.status().eta()).isNull();
		this.progress.examined = 50;
		this.progress.tick(2 * SECOND, 0, "");
		assertThat(this.progress.status().eta()).isNotNull();
		this.progress.phase = Phase.COMPLETE;
		assertThat(this.progress.status().eta()).isNull();
		assertThat(this.progress.status().entriesPerSecond()).isZero();
	}

	@Test
	void theProgressLineShowsABarDoneOfTotalRateAndEta() {
		this.progress.started(0);
		this.progress.total = 100_000;
		this.progress.examined = 45_000;
		this.progress.copiedBytes = 45_000L * 1024 * 2;
		this.progress.tick(2 * SECOND, 60_000, "");
		assertThat(ProgressLine.of(this.progress.status(), "adaptive 60,000 entries/s"))
			.isEqualTo("Refill of 127.0.0.1:11212 [#########-----------] 45% 45,000/100,000 entries, 43.9 MB/s, "
					+ "22,500 entries/s, ETA 2 s; pace adaptive 60,000 entries/s");
	}

	@Test
	void longEtasReadInMinutesAndHours() {
		assertThat(ProgressLine.eta(Duration.ofSeconds(125))).isEqualTo("2 min 05 s");
		assertThat(ProgressLine.eta(Duration.ofMinutes(95))).isEqualTo("1 h 35 min");
		assertThat(ProgressLine.eta(null)).isEqualTo("unknown");
	}

	@Test
	void whileTheFirstListingStreamsTheTotalIsExtrapolatedFromThePeersItemCount() {
		this.progress.started(0);
		this.progress.estimateFrom(90_000);
		// 3,000 lines read, 1,000 of them for this node: a third of the peer's items.
		this.progress.scanned = 3_000;
		this.progress.total = 1_000;
		assertThat(this.progress.status().total()).isEqualTo(30_000);
		this.progress.total = 29_000;
		this.progress.estimateFrom(-1);
		assertThat(this.progress.status().total()).as("once the listing ended, what it listed").isEqualTo(29_000);
	}

}
