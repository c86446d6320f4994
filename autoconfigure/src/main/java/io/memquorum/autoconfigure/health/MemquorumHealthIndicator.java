package io.memquorum.autoconfigure.health;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.memquorum.discovery.NodeDiscovery;
import io.memquorum.discovery.NodeSetChange;
import io.memquorum.engine.MembershipStatus;
import io.memquorum.engine.NodeStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAddress;
import io.memquorum.refill.RefillStatus;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The health of the replication engine: UP while a write quorum is reachable for every
 * key, DOWN otherwise. Details show each node's state (UP, DOWN or RECOVERING), whether
 * it serves reads, its uptime and memcached version, its pending hints, and its refill:
 * its phase, how far (entries examined and copied of those its peers listed, as a
 * percentage too), how fast (entries and bytes per second) and how long it still needs
 * while it runs, and when it was last known complete. With discovery, details show the
 * nodes the server entries resolve to now, where each SRV target is reached, entries
 * whose lookup fails, and the last changes of the set. The membership details show the
 * nodes the engine places keys on, the phase of a change of the node set in progress
 * (REFILLING: both placements in force while the new owners are filled; SETTLING: filled,
 * both still in force for the settle period; STABLE), the nodes still being filled, and
 * the last changes with when they started, were filled and finished. Built from the
 * engine's own view; it sends nothing to memcached.
 */
public class MemquorumHealthIndicator extends AbstractHealthIndicator {

	private final ReplicatedMemcached engine;

	private final @Nullable NodeDiscovery discovery;

	public MemquorumHealthIndicator(ReplicatedMemcached engine) {
		this(engine, null);
	}

	public MemquorumHealthIndicator(ReplicatedMemcached engine, @Nullable NodeDiscovery discovery) {
		super("memcached health check failed");
		this.engine = engine;
		this.discovery = discovery;
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
		builder.withDetail("membership", membership(this.engine.membership()));
		if (this.discovery != null) {
			builder.withDetail("discovery", discovery(this.discovery));
		}
	}

	private Map<String, Object> discovery(NodeDiscovery discovery) {
		Map<String, Object> details = new LinkedHashMap<>();
		List<String> resolved = discovery.nodeNames();
		details.put("resolved", resolved);
		details.put("removalGraceSeconds", discovery.removalGrace().toSeconds());
		details.put("targetAddresses", discovery.targetAddresses());
		details.put("failingEntries", discovery.failingEntries());
		details.put("failures", discovery.failures());
		List<Map<String, Object>> changes = new ArrayList<>();
		for (NodeSetChange change : discovery.changes()) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("at", change.at().toString());
			entry.put("added", change.added());
			entry.put("removed", change.removed());
			changes.add(entry);
		}
		details.put("changes", changes);
		return details;
	}

	static Map<String, Object> membership(MembershipStatus status) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("phase", status.phase().name());
		details.put("nodes", names(status.nodes()));
		if (!status.previousNodes().isEmpty()) {
			details.put("previousNodes", names(status.previousNodes()));
		}
		details.put("refilling", names(status.refilling()));
		details.put("placements", status.placements());
		details.put("changeCount", status.changes());
		details.put("otherNodeSets", status.otherNodeSets().stream().map(MemquorumHealthIndicator::names).toList());
		List<Map<String, Object>> changes = new ArrayList<>();
		for (MembershipStatus.Change change : status.history()) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("added", names(change.added()));
			entry.put("removed", names(change.removed()));
			entry.put("startedAt", change.startedAt().toString());
			entry.put("refilledAt", (change.refilledAt() != null) ? change.refilledAt().toString() : null);
			entry.put("finishedAt", (change.finishedAt() != null) ? change.finishedAt().toString() : null);
			changes.add(entry);
		}
		details.put("changes", changes);
		return details;
	}

	private static List<String> names(List<NodeAddress> nodes) {
		return nodes.stream().map(NodeAddress::toString).toList();
	}

	static Map<String, Object> refill(RefillStatus refill) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("phase", refill.phase().name());
		boolean refilling = refill.phase() == RefillStatus.Phase.REFILLING
				|| refill.phase() == RefillStatus.Phase.VERIFYING;
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
