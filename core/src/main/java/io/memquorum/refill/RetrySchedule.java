package io.memquorum.refill;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import io.memquorum.node.NodeAddress;

/**
 * When each node's next refill check is due. A node whose run did not complete is tried
 * again at an interval that doubles from the check interval up to
 * {@link Refill#MAX_RETRY_INTERVAL}; a node whose run was incomplete only because some
 * peers were down is tried again as soon as they are all back, whatever its interval.
 * Anything that makes a node worth checking now (it restarted, it is to be verified, the
 * node set changed) forgets its schedule.
 *
 * <p>
 * Read by the refill thread, and reset from the engine's threads.
 */
final class RetrySchedule {

	private final long firstIntervalNanos;

	private final long maxIntervalNanos;

	private final Map<NodeAddress, Long> nextAttemptAtNanos = new ConcurrentHashMap<>();

	private final Map<NodeAddress, Long> retryIntervalNanos = new ConcurrentHashMap<>();

	/** For each node whose last run could not list some peers because they were down. */
	private final Map<NodeAddress, List<NodeAddress>> waitingFor = new ConcurrentHashMap<>();

	RetrySchedule(Duration firstInterval, Duration maxInterval) {
		this.firstIntervalNanos = firstInterval.toNanos();
		this.maxIntervalNanos = maxInterval.toNanos();
	}

	/**
	 * @param node the node
	 * @param nowNanos {@link System#nanoTime()}
	 * @param isBack whether a peer that was down is back
	 * @return whether the node is to be checked now
	 */
	boolean isDue(NodeAddress node, long nowNanos, Predicate<NodeAddress> isBack) {
		Long next = this.nextAttemptAtNanos.get(node);
		return next == null || nowNanos - next >= 0 || peersAreBack(node, isBack);
	}

	/**
	 * @param node the node
	 * @param isBack whether a peer that was down is back
	 * @return whether the node's last run waits for peers that are down and not all of
	 * them are back: another run would copy nothing new until they are
	 */
	boolean waitsForPeers(NodeAddress node, Predicate<NodeAddress> isBack) {
		return this.waitingFor.containsKey(node) && !peersAreBack(node, isBack);
	}

	private boolean peersAreBack(NodeAddress node, Predicate<NodeAddress> isBack) {
		List<NodeAddress> missing = this.waitingFor.get(node);
		return missing != null && missing.stream().allMatch(isBack);
	}

	/**
	 * The node's last run was incomplete only because these peers were down.
	 * @param node the node
	 * @param down the peers
	 */
	void waitFor(NodeAddress node, List<NodeAddress> down) {
		this.waitingFor.put(node, List.copyOf(down));
	}

	/** The node no longer waits for peers: it was found complete, or ran again. */
	void stopWaiting(NodeAddress node) {
		this.waitingFor.remove(node);
	}

	/** The node's run failed or was incomplete: try again after the next interval. */
	void retryLater(NodeAddress node) {
		long interval = this.retryIntervalNanos.merge(node, this.firstIntervalNanos,
				(previous, first) -> Math.min(previous * 2, this.maxIntervalNanos));
		this.nextAttemptAtNanos.put(node, System.nanoTime() + interval);
	}

	/** Check the node at once, and start its interval again from the first. */
	void dueNow(NodeAddress node) {
		this.nextAttemptAtNanos.remove(node);
		this.retryIntervalNanos.remove(node);
	}

	/** Forget everything about the node. */
	void forget(NodeAddress node) {
		dueNow(node);
		stopWaiting(node);
	}

	/** Forget everything about every node. */
	void clear() {
		this.nextAttemptAtNanos.clear();
		this.retryIntervalNanos.clear();
		this.waitingFor.clear();
	}

}
