package io.memquorum.engine;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeConnection;
import io.memquorum.node.NodeOperationException;
import io.memquorum.refill.RefillNode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node inside the engine: its connection, its failure detector state, and its hints.
 *
 * <p>
 * State changes happen on two kinds of threads: request paths (on xmemcached reactor
 * threads) mark a node down after too many consecutive failures, and the engine's
 * maintenance thread moves it to recovering and back up. Transitions use compare-and-set
 * on {@link #state} so that each happens once.
 */
final class Node implements RefillNode {

	private static final Logger logger = LoggerFactory.getLogger(Node.class);

	final NodeAddress address;

	/** Replaced when the node is reconnected, for example after its name moved. */
	private volatile NodeConnection connection;

	final HintLog hints;

	private final int failureThreshold;

	private final java.util.concurrent.atomic.AtomicReference<NodeState> state = new java.util.concurrent.atomic.AtomicReference<>(
			NodeState.UP);

	private final AtomicInteger consecutiveFailures = new AtomicInteger();

	/** Guards the maintenance work on this node: one probe or recovery at a time. */
	final AtomicBoolean busy = new AtomicBoolean();

	volatile long nextProbeAtNanos;

	volatile long probeBackoffNanos;

	volatile long nextStatsAtNanos;

	private volatile @Nullable Identity identity;

	private volatile @Nullable String version;

	private volatile long uptimeSeconds = -1;

	private final AtomicInteger restarts = new AtomicInteger();

	/**
	 * When the current stall of this node was first counted, {@link System#nanoTime()}:
	 * timeouts within one operation timeout of it are the same stall (commands queued
	 * behind one pause time out over that span) and count once.
	 */
	private final AtomicLong stallCountedAtNanos = new AtomicLong(System.nanoTime() - Long.MAX_VALUE / 2);

	private final long stallWindowNanos;

	/** When this node was last marked down, wall-clock milliseconds; 0 when never. */
	private volatile long downSinceMillis;

	/** When this node was last marked down, {@link System#nanoTime()}. */
	volatile long downSinceNanos;

	/** When the connection of this down node was last replaced. */
	volatile long reconnectedAtNanos;

	Node(NodeAddress address, NodeConnection connection, int hintCapacity, long hintBytes, int failureThreshold,
			Duration operationTimeout) {
		this.address = address;
		this.stallWindowNanos = operationTimeout.toNanos();
		this.connection = connection;
		this.hints = new HintLog(hintCapacity, hintBytes);
		this.failureThreshold = failureThreshold;
		this.nextStatsAtNanos = System.nanoTime();
	}

	@Override
	public NodeAddress address() {
		return this.address;
	}

	@Override
	public boolean isDown() {
		return this.state.get() == NodeState.DOWN;
	}

	@Override
	public NodeConnection connection() {
		return this.connection;
	}

	/**
	 * Put a new connection in place of the current one, which the caller closes.
	 * @param replacement the new connection
	 * @return the connection it replaced
	 */
	NodeConnection replaceConnection(NodeConnection replacement) {
		NodeConnection previous = this.connection;
		this.connection = replacement;
		return previous;
	}

	/** Set by refill: see {@link #mayLackEntries()}. */
	private volatile boolean mayLackEntries;

	/** Why the node was last marked down, for health details; null before that. */
	private volatile @Nullable String downReason;

	NodeState state() {
		return this.state.get();
	}

	/**
	 * Reads go only to nodes that are up and owe nothing: a node with pending hints may
	 * still hold a value that a missed delete should have removed.
	 * @return whether reads may use this node
	 */
	boolean isReadable() {
		return this.state.get() == NodeState.UP && this.hints.isEmpty();
	}

	/**
	 * Whether reads of one key may use this node: it is up and owes nothing for that key.
	 * A node owes what its hint log holds, so a missed write or delete keeps it from
	 * serving that key only. Before, one hint kept it from serving any key: once each
	 * node had missed one write of some key (a write succeeds with one replica failing),
	 * no replica was readable for any key; and a replica that owed hints under load was
	 * left out of every read, so each conditional write to it had to read it first, on
	 * its connection's thread, which kept it behind.
	 * @param encoded the memcached key
	 * @return whether reads of the key may use this node
	 */
	boolean isReadable(String encoded) {
		return this.state.get() == NodeState.UP && !this.hints.owes(encoded);
	}

	/**
	 * Whether the node may lack entries its peers hold: it restarted or was flushed, or
	 * carries no completeness marker, and refill has not completed it. A miss here says
	 * nothing about the key, so a MAJORITY read does not count it toward the majority.
	 * @return whether the node may be incomplete
	 */
	boolean mayLackEntries() {
		return this.mayLackEntries;
	}

	@Override
	public void mayLackEntries(boolean incomplete) {
		this.mayLackEntries = incomplete;
	}

	/**
	 * Writes go to every node not known to be down; a recovering node must catch up.
	 * @return whether writes are sent to this node
	 */
	boolean isWritable() {
		return this.state.get() != NodeState.DOWN;
	}

	void recordSuccess() {
		if (this.consecutiveFailures.get() != 0) {
			this.consecutiveFailures.set(0);
		}
	}

	/**
	 * Count a failure; only failures that say the node is unreachable count toward
	 * marking it down. An error reply (for example an item too large) says nothing about
	 * the node's health.
	 * @param failure what happened
	 * @param probeBackoff the first probe delay if this marks the node down
	 * @return whether this call marked the node down
	 */
	boolean recordFailure(Throwable failure, Duration probeBackoff) {
		if (!(failure instanceof NodeOperationException nodeFailure) || !nodeFailure.isUnreachable()) {
			return false;
		}
		if (nodeFailure.event().clientSuspected()) {
			// A stall of this JVM says nothing about the node.
			return false;
		}
		if (nodeFailure.isTimeout()) {
			long now = System.nanoTime();
			long countedAt = this.stallCountedAtNanos.get();
			if (now - countedAt < this.stallWindowNanos || !this.stallCountedAtNanos.compareAndSet(countedAt, now)) {
				// Another command of a stall already counted.
				return false;
			}
		}
		if (this.consecutiveFailures.incrementAndGet() >= this.failureThreshold) {
			return markDown(nodeFailure.getMessage(), probeBackoff);
		}
		return false;
	}

	boolean markDown(@Nullable String reason, Duration probeBackoff) {
		NodeState previous = this.state.getAndSet(NodeState.DOWN);
		if (previous == NodeState.DOWN) {
			return false;
		}
		this.downReason = reason;
		this.probeBackoffNanos = probeBackoff.toNanos();
		this.downSinceNanos = System.nanoTime();
		this.downSinceMillis = System.currentTimeMillis();
		this.reconnectedAtNanos = this.downSinceNanos;
		this.nextProbeAtNanos = this.downSinceNanos + this.probeBackoffNanos;
		logger.warn("memcached node {} marked down after {} consecutive failures: {}", this.address,
				this.consecutiveFailures.get(), reason);
		return true;
	}

	/**
	 * Record why a node that is down still is, as a later probe or reconnect found.
	 * @param reason the latest failure
	 */
	void stillDown(@Nullable String reason) {
		if (this.state.get() == NodeState.DOWN && reason != null) {
			this.downReason = reason;
		}
	}

	boolean transition(NodeState from, NodeState to) {
		return this.state.compareAndSet(from, to);
	}

	/**
	 * When this node was last marked down.
	 * @return wall-clock milliseconds, or 0 when it never was
	 */
	long downSinceMillis() {
		return this.downSinceMillis;
	}

	/**
	 * Whether the node's identity is known, so that a restart can be told apart.
	 * @return whether {@code stats} has been seen
	 */
	boolean identified() {
		return this.identity != null;
	}

	int consecutiveFailures() {
		return this.consecutiveFailures.get();
	}

	void resetFailures() {
		this.consecutiveFailures.set(0);
	}

	/**
	 * Take in what {@code stats} said and tell whether the node restarted since last
	 * seen.
	 * @param stats the node's stats
	 * @return whether its process id or start time changed
	 */
	boolean observe(Map<String, String> stats) {
		this.version = stats.get("version");
		long uptime = parse(stats.get("uptime"));
		long time = parse(stats.get("time"));
		this.uptimeSeconds = uptime;
		Identity seen = new Identity(stats.getOrDefault("pid", "?"), time - uptime);
		Identity known = this.identity;
		this.identity = seen;
		if (known == null) {
			return false;
		}
		// Start times computed from time - uptime wobble by a second between two probes.
		boolean restarted = !known.pid().equals(seen.pid()) || Math.abs(known.startedAt() - seen.startedAt()) > 2;
		if (restarted) {
			this.restarts.incrementAndGet();
		}
		return restarted;
	}

	private static long parse(@Nullable String number) {
		try {
			return (number != null) ? Long.parseLong(number.trim()) : -1;
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	NodeStatus status() {
		NodeState current = this.state.get();
		return new NodeStatus(this.address, current, isReadable(), this.hints.size(), this.hints.isOverflowed(),
				this.consecutiveFailures.get(), this.version, this.uptimeSeconds, this.restarts.get(),
				(current == NodeState.DOWN) ? this.downReason : null);
	}

	@Override
	public String toString() {
		return this.address + "(" + this.state.get() + ")";
	}

	private record Identity(String pid, long startedAt) {

	}

}
