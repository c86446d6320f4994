package io.memquorum.autoconfigure.health;

import java.util.LinkedHashMap;
import java.util.Map;

import io.memquorum.engine.NodeStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAddress;
import io.memquorum.refill.RefillStatus;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The health of the replication engine: UP while a write quorum is reachable for every
 * key, DOWN otherwise. Details show each node's state (UP, DOWN or RECOVERING), whether
 * it serves reads, its uptime and memcached version, its pending hints, and its refill:
 * its phase, how far (entries examined and copied of those its peers listed, as a
 * percentage too), how fast (entries and bytes per second) and how long it still needs
 * while it runs, and when it was last known complete. Built from the engine's own view;
 * it sends nothing to memcached.
 */
public class MemquorumHealthIndicator extends AbstractHealthIndicator {

	private final ReplicatedMemcached engine;

	public MemquorumHealthIndicator(ReplicatedMemcached engine) {
		super("memcached health check failed");
		this.engine = engine;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		boolean writable = this.engine.isWriteQuorumReachable();
		if (writable) {
			builder.up();
		}
		else {
			builder.down();
		}
		builder.withDetail("writeQuorumReachable", writable);
		builder.withDetail("replicationFactor", this.engine.placement().replicationFactor());
		builder.withDetail("writeQuorum", this.engine.writeQuorum().name());
		builder.withDetail("readConsistency", this.engine.readConsistency().name());
		Map<NodeAddress, RefillStatus> refills = new LinkedHashMap<>();
		for (RefillStatus refill : this.engine.refillStatus()) {
			refills.put(refill.address(), refill);
		}
		Map<String, Object> nodes = new LinkedHashMap<>();
		for (NodeStatus status : this.engine.nodeStatus()) {
			Map<String, Object> node = new LinkedHashMap<>();
			node.put("state", status.state().name());
			if (status.downReason() != null) {
				node.put("reason", status.downReason());
			}
			node.put("readable", status.readable());
			node.put("uptimeSeconds", status.uptimeSeconds());
			if (status.version() != null) {
				node.put("version", status.version());
			}
			node.put("pendingHints", status.pendingHints());
			node.put("hintsOverflowed", status.hintsOverflowed());
			node.put("restarts", status.restarts());
			RefillStatus refill = refills.get(status.address());
			if (refill != null) {
				node.put("refill", refill(refill));
			}
			nodes.put(status.address().toString(), node);
		}
		builder.withDetail("nodes", nodes);
	}

	static Map<String, Object> refill(RefillStatus refill) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("phase", refill.phase().name());
		boolean refilling = refill.phase() == RefillStatus.Phase.REFILLING;
		details.put("refilling", refilling);
		details.put("examined", refill.examined());
		details.put("copied", refill.copied());
		details.put("total", refill.total());
		if (refill.total() > 0) {
			details.put("progressPercent", Math.min(100, Math.floor(1000.0 * refill.examined() / refill.total()) / 10));
		}
		details.put("copiedBytes", refill.copiedBytes());
		if (refilling) {
			details.put("entriesPerSecond", Math.round(refill.entriesPerSecond()));
			details.put("bytesPerSecond", Math.round(refill.bytesPerSecond()));
			if (refill.eta() != null) {
				details.put("etaSeconds", refill.eta().toSeconds());
			}
		}
		if (refill.completedAt() != null) {
			details.put("completedAt", refill.completedAt().toString());
		}
		if (refill.problem() != null) {
			details.put("problem", refill.problem());
		}
		if (!refill.missingPeers().isEmpty()) {
			details.put("missingPeers", refill.missingPeers().stream().map(NodeAddress::toString).toList());
		}
		return details;
	}

}
