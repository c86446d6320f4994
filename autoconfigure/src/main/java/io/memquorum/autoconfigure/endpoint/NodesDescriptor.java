package io.memquorum.autoconfigure.endpoint;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.memquorum.engine.NodeStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAddress;
import io.memquorum.refill.RefillStatus;
import org.jspecify.annotations.Nullable;

/**
 * What {@code GET /actuator/memquorum} answers: whether writes can reach their quorum,
 * and every node with its state, the hints this instance owes it and its refill.
 *
 * @param writeQuorumReachable whether enough nodes take writes for every key to reach its
 * write quorum
 * @param nodes every node, in configuration order
 */
public record NodesDescriptor(boolean writeQuorumReachable, List<NodeDescriptor> nodes) {

	static NodesDescriptor of(ReplicatedMemcached engine) {
		Map<NodeAddress, RefillStatus> refills = engine.refillStatus()
			.stream()
			.collect(Collectors.toMap(RefillStatus::address, Function.identity()));
		List<NodeDescriptor> nodes = engine.nodeStatus()
			.stream()
			.map((status) -> NodeDescriptor.of(status, refills.get(status.address())))
			.toList();
		return new NodesDescriptor(engine.isWriteQuorumReachable(), nodes);
	}

	/**
	 * One node.
	 *
	 * @param address {@code host:port}
	 * @param state {@code UP}, {@code RECOVERING} or {@code DOWN}
	 * @param readable whether it serves reads of every key now
	 * @param hintsOwed missed writes and deletes this instance holds for it, replayed
	 * when it answers
	 * @param hintsOverflowed whether it missed more than its hints hold (it serves no
	 * reads until verified)
	 * @param consecutiveFailures failures since its last success
	 * @param restarts how often it was found restarted since this instance started
	 * @param downReason why it is down, or {@code null}
	 * @param refill where its refill stands, or {@code null} when refill does not know
	 * the node
	 */
	public record NodeDescriptor(String address, String state, boolean readable, int hintsOwed, boolean hintsOverflowed,
			int consecutiveFailures, int restarts, @Nullable String downReason, @Nullable RefillDescriptor refill) {

		static NodeDescriptor of(NodeStatus status, @Nullable RefillStatus refill) {
			return new NodeDescriptor(status.address().toString(), status.state().name(), status.readable(),
					status.pendingHints(), status.hintsOverflowed(), status.consecutiveFailures(), status.restarts(),
					status.downReason(), (refill != null) ? RefillDescriptor.of(refill) : null);
		}

	}

	/**
	 * The refill of one node as this instance sees it ({@link RefillStatus}).
	 *
	 * @param phase for example {@code COMPLETE}, {@code REFILLING} or {@code VERIFYING}
	 * @param copied entries copied by the current or last run of this instance
	 * @param examined entries looked at so far
	 * @param total entries the peers listed so far
	 * @param completedAt when the node was last known complete (ISO-8601), or
	 * {@code null}
	 * @param problem why the last run did not complete, or {@code null}
	 * @param missingPeers peers the last run could not list
	 */
	public record RefillDescriptor(String phase, long copied, long examined, long total, @Nullable String completedAt,
			@Nullable String problem, List<String> missingPeers) {

		static RefillDescriptor of(RefillStatus status) {
			Instant completedAt = status.completedAt();
			return new RefillDescriptor(status.phase().name(), status.copied(), status.examined(), status.total(),
					(completedAt != null) ? completedAt.toString() : null, status.problem(),
					status.missingPeers().stream().map(NodeAddress::toString).toList());
		}

	}

}
