package io.memquorum.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.memquorum.node.FailureEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times out the commands of every node from one scan, and decides whether a timeout is
 * the node's fault. Implements the contract's failure-counting clause together with
 * {@code Node.recordFailure} (which counts the timeouts of one node within one operation
 * timeout as one stall): when the scan itself ran late, or every node timed out at the
 * same instant, this JVM is the likely culprit (a garbage-collection pause, a starved
 * CPU), so the event counts against no node. An outage of every node that lasts beyond
 * twice the operation timeout is no longer taken for a stall of this JVM, so that nodes
 * that are really gone still fail fast.
 */
final class TimeoutScan {

	private static final Logger logger = LoggerFactory.getLogger(TimeoutScan.class);

	/** How often the scan runs. */
	static final long TICK_MILLIS = 5;

	private final EngineState state;

	/** A scan later than this behind its schedule means this JVM did not run. */
	private final long lateNanos;

	/** How long an outage of every node may pass for a stall of this JVM. */
	private final long stallNanos;

	private long lastScanNanos = System.nanoTime();

	private long suspectedSinceNanos;

	private long lastSuspectedNanos;

	TimeoutScan(EngineState state) {
		this.state = state;
		long timeout = state.settings.operationTimeout().toNanos();
		this.lateNanos = Math.max(timeout / 2, 50_000_000L);
		this.stallNanos = 2 * timeout;
	}

	/** One scan; runs on the maintenance thread every {@link #TICK_MILLIS}. */
	void scan() {
		long now = System.nanoTime();
		long behind = now - this.lastScanNanos - TICK_MILLIS * 1_000_000;
		this.lastScanNanos = now;
		List<Node> overdue = new ArrayList<>(2);
		Collection<Node> nodes = this.state.allNodes();
		for (Node node : nodes) {
			if (node.connection().hasOverdue(now)) {
				overdue.add(node);
			}
		}
		if (overdue.isEmpty()) {
			return;
		}
		boolean everyNode = overdue.size() == nodes.size() && overdue.size() > 1;
		boolean clientSuspected = (behind > this.lateNanos || everyNode) && isShortEpisode(now);
		if (clientSuspected) {
			this.state.metrics.clientStall();
			logger.debug("Commands timed out on {} of {} nodes in a scan {} ms late; counted as a stall of this JVM",
					overdue.size(), nodes.size(), Math.max(0, behind / 1_000_000));
		}
		FailureEvent event = FailureEvent.next(clientSuspected);
		for (Node node : overdue) {
			node.connection().expireOverdue(now, event);
		}
	}

	/**
	 * Whether the current run of suspect scans is still short enough to be a stall of
	 * this JVM; a new run starts when none was seen for the stall window.
	 */
	private boolean isShortEpisode(long now) {
		if (now - this.lastSuspectedNanos > this.stallNanos) {
			this.suspectedSinceNanos = now;
		}
		this.lastSuspectedNanos = now;
		return now - this.suspectedSinceNanos <= this.stallNanos;
	}

}
