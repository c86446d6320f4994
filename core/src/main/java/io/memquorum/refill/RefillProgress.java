package io.memquorum.refill;

import java.time.Instant;

import io.memquorum.refill.RefillStatus.Phase;
import io.memquorum.node.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * The refill state of one node: written by the refill thread, read by health and metrics
 * from any thread.
 */
final class RefillProgress {

	private final NodeAddress address;

	volatile Phase phase;

	volatile long copied;

	volatile long examined;

	volatile long total;

	volatile @Nullable Instant completedAt;

	volatile @Nullable String problem;

	RefillProgress(NodeAddress address, Phase phase) {
		this.address = address;
		this.phase = phase;
	}

	void started() {
		this.phase = Phase.REFILLING;
		this.copied = 0;
		this.examined = 0;
		this.total = 0;
		this.problem = null;
		this.completedAt = null;
	}

	RefillStatus status() {
		return new RefillStatus(this.address, this.phase, this.copied, this.examined, this.total, this.completedAt,
				this.problem);
	}

}
