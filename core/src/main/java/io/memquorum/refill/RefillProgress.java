package io.memquorum.refill;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.memquorum.node.NodeAddress;
import io.memquorum.refill.RefillStatus.Phase;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refill state of one node: written by the refill thread, read by health and metrics
 * from any thread.
 *
 * <p>
 * The refill thread {@link #tick ticks} after each batch: once a second the rates are
 * brought up to date (a moving average, so one slow batch does not swing the ETA), and
 * every {@link #LOG_EVERY} a progress line is logged ({@link ProgressLine}).
 */
final class RefillProgress {

	private static final Logger logger = LoggerFactory.getLogger(Refill.class);

	static final Duration LOG_EVERY = Duration.ofSeconds(10);

	private static final long RATE_EVERY_NANOS = 1_000_000_000L;

	/** Weight of the newest second in the moving averages. */
	private static final double SMOOTHING = 0.5;

	private final NodeAddress address;

	volatile Phase phase;

	volatile long copied;

	volatile long copiedBytes;

	volatile long examined;

	volatile long total;

	/**
	 * Lines of the first peer's listing read so far, updated every few hundred; with
	 * {@link #peerItems}, what {@link #estimatedTotal} extrapolates from.
	 */
	volatile long scanned;

	/** Items on the first peer before its listing, or -1 once that listing ended. */
	volatile long peerItems = -1;

	volatile double entriesPerSecond;

	volatile double bytesPerSecond;

	volatile long paceEntriesPerSecond;

	volatile @Nullable Instant completedAt;

	volatile @Nullable String problem;

	/**
	 * Peers the last run could not list, so the node is not complete; kept while the next
	 * run is under way.
	 */
	volatile List<NodeAddress> missingPeers = List.of();

	// Written and read by the refill thread only.

	private long rateAtNanos;

	private long rateExamined;

	private long rateBytes;

	private long loggedAtNanos;

	RefillProgress(NodeAddress address, Phase phase) {
		this.address = address;
		this.phase = phase;
	}

	void started() {
		started(System.nanoTime());
	}

	void started(long nowNanos) {
		this.phase = Phase.REFILLING;
		this.copied = 0;
		this.copiedBytes = 0;
		this.examined = 0;
		this.total = 0;
		this.scanned = 0;
		this.peerItems = -1;
		this.entriesPerSecond = 0;
		this.bytesPerSecond = 0;
		this.paceEntriesPerSecond = 0;
		this.problem = null;
		this.completedAt = null;
		this.rateAtNanos = nowNanos;
		this.rateExamined = 0;
		this.rateBytes = 0;
		this.loggedAtNanos = nowNanos;
	}

	/**
	 * A batch was copied: bring the rates up to date and log progress when due.
	 * @param pace the pace the run copies at
	 */
	void tick(RefillPace pace) {
		tick(System.nanoTime(), pace.entriesPerSecond(), pace.describe());
	}

	void tick(long nowNanos, long paceEntriesPerSecond, String pace) {
		this.paceEntriesPerSecond = paceEntriesPerSecond;
		long elapsed = nowNanos - this.rateAtNanos;
		if (elapsed >= RATE_EVERY_NANOS) {
			double entries = (this.examined - this.rateExamined) * 1e9 / elapsed;
			double bytes = (this.copiedBytes - this.rateBytes) * 1e9 / elapsed;
			boolean first = this.entriesPerSecond == 0 && this.bytesPerSecond == 0;
			this.entriesPerSecond = first ? entries : SMOOTHING * entries + (1 - SMOOTHING) * this.entriesPerSecond;
			this.bytesPerSecond = first ? bytes : SMOOTHING * bytes + (1 - SMOOTHING) * this.bytesPerSecond;
			this.rateAtNanos = nowNanos;
			this.rateExamined = this.examined;
			this.rateBytes = this.copiedBytes;
		}
		if (nowNanos - this.loggedAtNanos >= LOG_EVERY.toNanos()) {
			this.loggedAtNanos = nowNanos;
			logger.info("{}", ProgressLine.of(status(), pace));
		}
	}

	/**
	 * A listing streams: the keys a run has to examine are known only once the first
	 * peer's first listing ends. Until then the total is extrapolated: the share of the
	 * lines read so far that belong to the node, times the items the peer held when its
	 * listing started.
	 * @param items the peer's {@code curr_items}, or -1 when unknown or once the listing
	 * ended (the total is then what was listed)
	 */
	void estimateFrom(long items) {
		this.scanned = 0;
		this.peerItems = items;
	}

	long estimatedTotal() {
		long listed = this.total;
		long items = this.peerItems;
		long lines = this.scanned;
		if (items <= 0 || lines <= 0) {
			return listed;
		}
		return Math.max(listed, Math.round((double) listed / lines * items));
	}

	/**
	 * How long the current run still needs at the current rate: the entries listed so far
	 * and not yet examined, over the entries examined per second.
	 * @return the estimate, or {@code null} when no run is copying or no rate is known
	 */
	@Nullable Duration eta() {
		double rate = this.entriesPerSecond;
		long remaining = estimatedTotal() - this.examined;
		if (!running() || rate <= 0 || remaining < 0) {
			return null;
		}
		return Duration.ofMillis(Math.round(remaining * 1000 / rate));
	}

	/** Whether a run copies now: a refill or a verification. */
	private boolean running() {
		return this.phase == Phase.REFILLING || this.phase == Phase.VERIFYING;
	}

	RefillStatus status() {
		boolean refilling = running();
		return new RefillStatus(this.address, this.phase, this.copied, this.examined,
				refilling ? estimatedTotal() : this.total, this.completedAt, this.problem, this.missingPeers,
				this.copiedBytes, refilling ? this.entriesPerSecond : 0, refilling ? this.bytesPerSecond : 0, eta());
	}

}
