package io.memquorum.engine;

import io.memquorum.node.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one node as the engine sees it, for health endpoints and dashboards.
 *
 * @param address the node
 * @param state up, down or recovering
 * @param readable whether it serves reads of every key now (up, and no missed writes
 * pending); a node that owes hints still serves the keys it owes nothing for
 * @param pendingHints missed writes and deletes waiting to be replayed
 * @param hintsOverflowed whether it missed more than its hint log holds, so it will be
 * flushed
 * @param consecutiveFailures failures since its last success
 * @param version the memcached version it reported, or {@code null} before first contact
 * @param uptimeSeconds its uptime at the last probe, or -1 before first contact
 * @param restarts how many times it was found restarted since the engine started
 * @param downReason while the node is down, the failure that marked it down (for example
 * that it refused the credentials); {@code null} otherwise
 */
public record NodeStatus(NodeAddress address, NodeState state, boolean readable, int pendingHints,
		boolean hintsOverflowed, int consecutiveFailures, @Nullable String version, long uptimeSeconds, int restarts,
		@Nullable String downReason) {

}
