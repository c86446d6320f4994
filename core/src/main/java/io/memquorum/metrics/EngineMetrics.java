package io.memquorum.metrics;

import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.memquorum.engine.MembershipStatus;
import io.memquorum.engine.NodeState;
import io.memquorum.refill.RefillStatus;
import io.memquorum.node.NodeAddress;

/**
 * What the engine reports about itself. Every failover, repair, hint and quorum failure
 * is counted here; {@link #none()} discards everything, and
 * {@link MicrometerEngineMetrics} records to a Micrometer registry.
 */
public interface EngineMetrics {

	/**
	 * One command to one node finished.
	 * @param node the node
	 * @param operation the engine operation, for example {@code get} or {@code set}
	 * @param nanos how long it took
	 * @param success whether the node answered
	 */
	default void nodeOperation(NodeAddress node, String operation, long nanos, boolean success) {
	}

	/**
	 * A read moved past a node that missed, failed or timed out.
	 * @param node the node that did not answer with a hit
	 */
	default void failover(NodeAddress node) {
	}

	/**
	 * A replica that missed a value, or held an older one, was sent the newest copy.
	 * @param node the repaired node
	 */
	default void readRepair(NodeAddress node) {
	}

	default void hintQueued(NodeAddress node) {
	}

	default void hintReplayed(NodeAddress node) {
	}

	/**
	 * A hint was dropped because the node's hint log was full; the node serves no reads
	 * until it is verified against its peers (or flushed).
	 * @param node the node
	 */
	default void hintDropped(NodeAddress node) {
	}

	/**
	 * A node's contents were flushed: it may have held values whose deletes no peer
	 * remembers any more (it missed writes for longer than a tombstone lives, or it
	 * missed more writes than its hints hold and refill cannot verify it).
	 * @param node the node
	 */
	default void nodeFlushed(NodeAddress node) {
	}

	/**
	 * A node that missed more writes than its hints hold was verified against its peers
	 * (every key it should hold compared, the newest version written where it was missing
	 * or older) and serves reads again, without a flush.
	 * @param node the node
	 */
	default void nodeVerified(NodeAddress node) {
	}

	/**
	 * A node was found restarted: its memcached process id or start time changed.
	 * @param node the node
	 */
	default void nodeRestarted(NodeAddress node) {
	}

	/**
	 * A node that stayed down past the reconnect grace got a new connection, its host
	 * name resolved again.
	 * @param node the node
	 */
	default void nodeReconnected(NodeAddress node) {
	}

	/**
	 * Commands timed out in a way that points at this JVM rather than the nodes (the
	 * timeout scan ran late, or every node timed out at once); no node was blamed.
	 */
	default void clientStall() {
	}

	default void quorumFailure(String operation) {
	}

	/**
	 * Bytes under a key could not be read as an envelope: corrupt, written by another
	 * program, or of an unknown format version.
	 * @param node the node that returned them
	 */
	default void unreadableValue(NodeAddress node) {
	}

	/**
	 * Bytes under a key could not be used, for the reason given: not an envelope,
	 * corrupt, an unknown format, or (with signing keys) unsigned or wrongly signed.
	 * Calls {@link #unreadableValue(NodeAddress)} unless overridden.
	 * @param node the node that returned them
	 * @param reason a short tag, for example {@code bad-signature}
	 */
	default void unreadableValue(NodeAddress node, String reason) {
		unreadableValue(node);
	}

	/**
	 * Called once per node at startup so that gauges can follow the node's state.
	 * @param node the node
	 * @param state the node's current state
	 * @param pendingHints how many hints wait for the node
	 */
	default void registerNode(NodeAddress node, Supplier<NodeState> state, ToDoubleFunction<NodeAddress> pendingHints) {
	}

	/**
	 * A refill of a node started copying.
	 * @param node the node being refilled
	 */
	default void refillStarted(NodeAddress node) {
	}

	/**
	 * A refill stored one entry on a node.
	 * @param node the node being refilled
	 * @param bytes the envelope's size
	 */
	default void refillCopied(NodeAddress node, long bytes) {
	}

	/**
	 * A refill run ended.
	 * @param node the node
	 * @param complete whether the node is now marked complete
	 */
	default void refillFinished(NodeAddress node, boolean complete) {
	}

	/**
	 * Called once per node at startup so that gauges can follow its refill.
	 * @param node the node
	 * @param status the node's refill status now
	 */
	default void registerRefill(NodeAddress node, Supplier<RefillStatus> status) {
	}

	/**
	 * Called once at startup so that gauges can follow the node set: the placements in
	 * force, the phase of a change, the changes so far.
	 * @param status the membership status now
	 */
	default void registerMembership(Supplier<MembershipStatus> status) {
	}

	/**
	 * Metrics that record nothing.
	 * @return the no-op instance
	 */
	static EngineMetrics none() {
		return NoEngineMetrics.INSTANCE;
	}

}
