package io.memquorum.engine;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeConnection;
import io.memquorum.refill.Refill;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches every node: probes the ones marked down, reconnects those that stay down,
 * notices restarts, and brings returning nodes up to date. Implements the contract's
 * "Failure" clauses on a node's life: DOWN after consecutive failure events, probes with
 * back-off, a new connection (its host name resolved again) once a node stays down past
 * the reconnect grace, RECOVERING on return or restart, a flush first when the node may
 * hold values whose deletes it can no longer receive, hint replay, then UP. A node that
 * missed more writes than its hints hold, up or returning, is verified against its peers
 * ({@link Refill#verify}) rather than flushed, as long as every delete it may have missed
 * still has its tombstone on a peer; it serves no reads until verified.
 *
 * <p>
 * Everything here runs on the maintenance thread, except opening and closing connections,
 * which may block for the connect timeout and so run on their own thread. Each node has
 * at most one such task in flight ({@code Node.busy}).
 */
final class NodeWatch {

	private static final Logger logger = LoggerFactory.getLogger(ReplicatedMemcached.class);

	private final EngineState state;

	private final Hints hints;

	private final ConnectionOpener opener;

	private final ExecutorService connector;

	private final ExecutorService closer;

	private final Refill refill;

	NodeWatch(EngineState state, Hints hints, ConnectionOpener opener, ExecutorService connector,
			ExecutorService closer, Refill refill) {
		this.state = state;
		this.hints = hints;
		this.opener = opener;
		this.connector = connector;
		this.closer = closer;
		this.refill = refill;
	}

	/** Opens the connection to a node; resolves its host name each time. */
	@FunctionalInterface
	interface ConnectionOpener {

		NodeConnection open(NodeAddress address) throws IOException;

	}

	/** One round over every node; runs on the maintenance thread. */
	void maintain() {
		try {
			long now = System.nanoTime();
			for (Node node : this.state.allNodes()) {
				if (!node.busy.compareAndSet(false, true)) {
					continue;
				}
				CompletableFuture<?> work = maintenanceFor(node, now);
				if (work == null) {
					node.busy.set(false);
				}
				else {
					work.whenComplete((ignored, failure) -> node.busy.set(false));
				}
			}
		}
		catch (RuntimeException ex) {
			// The maintenance thread must survive anything, or nodes never come back.
			logger.error("memquorum maintenance failed; continuing", ex);
		}
	}

	private @Nullable CompletableFuture<?> maintenanceFor(Node node, long now) {
		switch (node.state()) {
			case DOWN:
				if (now - node.reconnectedAtNanos >= this.state.settings.reconnectGrace().toNanos()) {
					return reconnect(node);
				}
				return (now - node.nextProbeAtNanos >= 0) ? probe(node) : null;
			case RECOVERING:
				return recover(node);
			default:
				if (!node.hints.isEmpty()) {
					return recover(node);
				}
				if (now - node.nextStatsAtNanos >= 0) {
					node.nextStatsAtNanos = now + this.state.settings.restartCheckInterval().toNanos();
					return checkForRestart(node);
				}
				return null;
		}
	}

	/**
	 * Learn every node's identity (process id and start time) before the engine serves,
	 * so that a restart soon after startup is not mistaken for the first sight of the
	 * node.
	 * @return completes when every node answered or failed
	 */
	CompletableFuture<Void> identifyAll() {
		CompletableFuture<?>[] answers = this.state.allNodes()
			.stream()
			.map((node) -> node.connection().stats().thenAccept(node::observe))
			.toArray(CompletableFuture[]::new);
		return CompletableFuture.allOf(answers).exceptionally((failure) -> null);
	}

	/**
	 * Replace the connection of a node that stayed down past the grace. A frozen process,
	 * or a machine that still acknowledges TCP without answering, keeps the old
	 * connection open for ever, and a node rescheduled elsewhere answers under the same
	 * name at a new address: only a new connection, with the name resolved again, reaches
	 * it.
	 */
	private CompletableFuture<Void> reconnect(Node node) {
		node.reconnectedAtNanos = System.nanoTime();
		return CompletableFuture.runAsync(() -> {
			NodeConnection replacement;
			try {
				replacement = this.opener.open(node.address);
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("Could not reopen the connection to {}: {}", node.address, ex.getMessage());
				node.stillDown(ex.getMessage());
				return;
			}
			NodeConnection previous = node.replaceConnection(replacement);
			// Closing waits for the old node to acknowledge (up to seconds when it is
			// frozen): it must hold up neither this node's probes nor other reconnects.
			this.closer.execute(previous::close);
			this.state.metrics.nodeReconnected(node.address);
			logger.info("memcached node {} stayed down past the reconnect grace; opened a new connection to {}",
					node.address, replacement.remoteAddress());
		}, this.connector).thenCompose((ignored) -> probeSoon(node));
	}

	private CompletableFuture<Void> probeSoon(Node node) {
		node.probeBackoffNanos = this.state.settings.probeInterval().toNanos();
		node.nextProbeAtNanos = System.nanoTime() + node.probeBackoffNanos;
		return CompletableFuture.completedFuture(null);
	}

	private CompletableFuture<Void> probe(Node node) {
		return node.connection().stats().<CompletableFuture<Void>>handle((stats, failure) -> {
			if (failure != null) {
				// The latest failure says best why the node is still down, for example
				// that it came back refusing our credentials.
				node.stillDown(Completions.unwrap(failure).getMessage());
				node.probeBackoffNanos = Math.min(node.probeBackoffNanos * 2,
						this.state.settings.maxProbeInterval().toNanos());
				node.nextProbeAtNanos = System.nanoTime() + node.probeBackoffNanos;
				return CompletableFuture.completedFuture(null);
			}
			boolean restarted = node.observe(stats);
			if (restarted) {
				restarted(node);
			}
			else {
				flushIfDownLongerThanTombstones(node);
			}
			node.resetFailures();
			if (node.transition(NodeState.DOWN, NodeState.RECOVERING)) {
				logger.info("memcached node {} answers again; replaying {} missed writes before it serves reads",
						node.address, node.hints.size());
			}
			return recover(node);
		}).thenCompose(Function.identity());
	}

	/**
	 * A node unreachable for longer than a tombstone lives may have missed deletes whose
	 * tombstones are gone everywhere: nothing could shadow its old values any more, and
	 * no verification against its peers can find them, so it is flushed before it serves
	 * reads.
	 */
	private void flushIfDownLongerThanTombstones(Node node) {
		long downSince = node.downSinceMillis();
		if (downSince != 0
				&& this.state.wallClock.getAsLong() - downSince > this.state.settings.tombstoneTtl().toMillis()) {
			node.hints.requireFlush();
		}
	}

	private CompletableFuture<Void> checkForRestart(Node node) {
		return node.connection().stats().<CompletableFuture<Void>>handle((stats, failure) -> {
			if (failure != null) {
				this.state.recordFailure(node, Completions.unwrap(failure));
				return CompletableFuture.completedFuture(null);
			}
			node.recordSuccess();
			if (node.observe(stats)) {
				restarted(node);
				node.transition(NodeState.UP, NodeState.RECOVERING);
				return recover(node);
			}
			return CompletableFuture.completedFuture(null);
		}).thenCompose(Function.identity());
	}

	private void restarted(Node node) {
		// An empty node holds nothing stale, so forgotten hints no longer require a flush
		// or a verification.
		node.hints.flushed(node.hints.coverFromNow());
		this.state.metrics.nodeRestarted(node.address);
		logger.warn("memcached node {} restarted (new process or start time): it is empty until refilled",
				node.address);
		this.refill.nodeEmptied(node, "it restarted (new process or start time)");
	}

	/**
	 * Bring a node up to date: flush it if it may hold values whose deletes no peer
	 * remembers (down longer than a tombstone lives, a remembered delete whose tombstone
	 * expired, or an overflow not verified within a tombstone's lifetime); otherwise, if
	 * it missed more writes than its hints hold, have refill verify it against its peers.
	 * Then replay its hints, and let it serve reads once it owes nothing.
	 */
	private CompletableFuture<Void> recover(Node node) {
		HintLog hints = node.hints;
		if (hints.holdsExpiredTombstone(this.state.wallClock.getAsLong())
				|| hints.overflowedLongerThan(this.state.settings.tombstoneTtl())
				|| (hints.isOverflowed() && !this.refill.canVerify())) {
			hints.requireFlush();
		}
		CompletableFuture<Void> flushed = CompletableFuture.completedFuture(null);
		if (hints.flushRequired()) {
			logger.warn("memcached node {} may hold values deleted while it missed writes, whose tombstones are gone"
					+ " (it missed writes for longer than a tombstone lives, or it missed more writes than its hints"
					+ " hold and refill cannot verify it: refill is off, or a node cannot list its keys); flushing it",
					node.address);
			// The mark stays until the flush is done: a flush that fails is tried again.
			HintLog.Coverage coverage = hints.coverFromNow();
			flushed = node.connection().flushAll().thenRun(() -> {
				hints.flushed(coverage);
				this.state.metrics.nodeFlushed(node.address);
				this.refill.nodeEmptied(node, "it was flushed on its return");
			});
		}
		else if (hints.isOverflowed()) {
			// Every delete it missed still has its tombstone on a peer: comparing each
			// key
			// with its peers finds them, and keeps what the node holds.
			this.refill.verify(node, "it missed more writes than its hints hold (it serves no reads until then)");
		}
		return flushed.thenCompose((ignored) -> this.hints.replay(node)).whenComplete((ignored, failure) -> {
			if (failure != null) {
				Throwable cause = Completions.unwrap(failure);
				logger.debug("Recovery of {} failed: {}", node.address, cause.getMessage());
				if (node.state() == NodeState.RECOVERING) {
					node.markDown(cause.getMessage(), this.state.settings.probeInterval());
				}
				else {
					this.state.recordFailure(node, cause);
				}
			}
			else if (node.hints.isEmpty() && node.transition(NodeState.RECOVERING, NodeState.UP)) {
				logger.info("memcached node {} is up and serves reads again", node.address);
			}
		});
	}

}
