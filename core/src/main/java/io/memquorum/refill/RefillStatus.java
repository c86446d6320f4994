package io.memquorum.refill;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.memquorum.node.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * Where the refill of one node stands, as this application instance sees it.
 *
 * @param address the node
 * @param phase what refill is doing for the node
 * @param copied entries copied onto the node by the current or last run of this instance
 * @param examined entries of the current or last run looked at so far
 * @param total distinct entries the node's peers listed for it in the current or last run
 * so far: the listings are copied as they stream, so while a run lasts this grows; while
 * the first listing of a run streams, it is an estimate instead (the share of the lines
 * listed so far that belong to the node, times the items the peer held)
 * @param completedAt when the node was last known complete (from its marker), or
 * {@code null} when it is not known complete
 * @param problem why the last run did not complete, or {@code null}
 * @param missingPeers the peers the last run could not list (down, or their listing
 * failed): until a run lists them, the node is not complete, and it is refilled again
 * once they are back; empty otherwise
 * @param copiedBytes envelope bytes copied onto the node by the current or last run
 * @param entriesPerSecond entries examined per second while a run copies (a moving
 * average over the last seconds), 0 otherwise
 * @param bytesPerSecond envelope bytes copied per second while a run copies, 0 otherwise
 * @param eta how long the running refill still needs for the entries listed so far, at
 * its current rate, or {@code null} when no run is copying or no rate is known yet
 */
public record RefillStatus(NodeAddress address, Phase phase, long copied, long examined, long total,
		@Nullable Instant completedAt, @Nullable String problem, List<NodeAddress> missingPeers, long copiedBytes,
		double entriesPerSecond, double bytesPerSecond, @Nullable Duration eta) {

	/**
	 * What refill is doing for one node.
	 */
	public enum Phase {

		/** Not checked yet, or the node did not answer the check. */
		UNKNOWN,

		/** The node carries its completeness marker for the current node list. */
		COMPLETE,

		/** This instance is copying entries onto the node. */
		REFILLING,

		/**
		 * This instance compares every key the node should hold with its peers, because
		 * the node missed more writes than this instance's hints for it hold; the node
		 * serves no reads until the run is complete.
		 */
		VERIFYING,

		/** Another application instance holds the node's refill lease. */
		WAITING,

		/** The last run could not finish; it is retried at the next check. */
		INCOMPLETE,

		/** Refill is turned off. */
		DISABLED

	}

}
