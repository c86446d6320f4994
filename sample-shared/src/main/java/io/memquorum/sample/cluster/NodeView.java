package io.memquorum.sample.cluster;

import org.jspecify.annotations.Nullable;

/**
 * One row of the cluster panel.
 *
 * @param address the node, as {@code host:port}
 * @param state {@code up}, {@code down} or {@code recovering}, as the engine sees it
 * @param readable whether the engine sends reads to the node now
 * @param hits reads the node answered with a value since its process started, or
 * {@code null} when it did not answer
 * @param misses reads the node answered with a miss since its process started, or
 * {@code null} when it did not answer
 * @param failovers reads that moved past this node (it missed or failed), as counted by
 * the engine since the application started
 * @param repairs copies the engine sent to this node after reads found it missing or
 * stale
 * @param pendingHints missed writes and deletes waiting to be replayed to it
 * @param restarts how many times the engine found the node restarted
 * @param refill where the node's refill stands
 */
public record NodeView(String address, String state, boolean readable, @Nullable Long hits, @Nullable Long misses,
		long failovers, long repairs, int pendingHints, int restarts, RefillView refill) {

}
