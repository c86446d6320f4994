package io.memquorum.refill;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.memquorum.engine.KeyEncoder;
import io.memquorum.metrics.EngineMetrics;
import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeIncarnation;
import io.memquorum.placement.Placement;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.LineSigner;
import io.memquorum.refill.RefillStatus.Phase;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills restarted, replaced, flushed and new nodes back from their peers, so that
 * restarting every node in turn loses nothing.
 *
 * <h2>When</h2> Every {@code checkInterval}, and at once when the engine finds a node
 * restarted or flushes it, each node that is not down is asked for its completeness
 * marker ({@link RefillMarker}) and its process life ({@code stats}: pid and start time).
 * A node without a marker that counts (one naming this node and this process, and signed
 * when signing keys are set), or whose marker does not list this instance's placement
 * fingerprint (the node list changed), is refilled. The marker lives on the node, so an
 * instance that starts after a restart still sees the node incomplete.
 *
 * <h2>Verifying</h2> When the engine had to drop hints for a node ({@link #verify}), the
 * node's next run is a verifying one, whatever its marker says: the same listing and
 * reads, written with {@link VerifyingWrites} (newest wins, as the dropped hints would
 * have), and on completion the node is told ({@link RefillNode#verificationStarted}) and
 * serves reads again. The instance whose hints were dropped runs it: hints are per
 * instance.
 *
 * <h2>Once</h2> Before copying, an instance takes the node's {@link RefillLease}, stored
 * on the node itself, and keeps it renewed for the whole run ({@link LeaseKeeper});
 * instances that find it taken wait, and take over when it expires because its holder
 * died, or at once when it does not count (forged, copied, or replayed: see the lease).
 *
 * <h2>How</h2> A {@link RefillRun} copies at the paced rate ({@link RefillPace}); a
 * complete run (every other node listed, every entry copied) writes the marker. An
 * incomplete run is retried at a growing interval (up to {@link #MAX_RETRY_INTERVAL}), at
 * once when the node restarts again, and at once when every peer it could not list
 * because it was down is back. Until then the node may lack entries: its misses do not
 * count toward a majority.
 *
 * <h2>Concurrency</h2> Checks and runs happen on one thread of their own, one node at a
 * time, because listing keys blocks on a socket. Progress is published through volatile
 * fields of {@link RefillProgress}. Foreground requests never wait for refill: a node
 * being refilled takes writes and serves reads, and a read that misses on it moves on to
 * the next replica.
 */
public final class Refill implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(Refill.class);

	static final Duration MAX_RETRY_INTERVAL = Duration.ofMinutes(5);

	/**
	 * The nodes, the placement to fill for, and during a change of the node set the
	 * placement before it; swapped whole by {@link #placementChanged}.
	 */
	private volatile RefillView view;

	/** The fingerprint each node was last found or made complete for. */
	private final Map<NodeAddress, String> filledFor = new ConcurrentHashMap<>();

	private final KeyEncoder keys;

	private final ReplicaWriter writer;

	private final EngineMetrics metrics;

	private final RefillOptions options;

	private final LongSupplier wallClock;

	private final Duration commandWait;

	/** Signs and verifies markers when signing keys are set; null otherwise. */
	private final NodeMarkers markers;

	/** Signs and verifies leases when signing keys are set; null otherwise. */
	private final @Nullable LineSigner leaseSigner;

	private final String owner = UUID.randomUUID().toString();

	private final Map<NodeAddress, RefillProgress> progress = Collections.synchronizedMap(new LinkedHashMap<>());

	/** When each node's next check is due after a run that did not complete. */
	private final RetrySchedule retries;

	/**
	 * Nodes the engine asked to verify ({@link #verify}): their next run compares every
	 * key whatever their marker says, with {@link VerifyingWrites}.
	 */
	private final Set<NodeAddress> toVerify = ConcurrentHashMap.newKeySet();

	/**
	 * Peers found without their LRU crawler; the first one found is warned about, once.
	 */
	private final Set<NodeAddress> crawlerDisabled = ConcurrentHashMap.newKeySet();

	private final ScheduledExecutorService thread;

	private final LatencyHistogram foreground;

	/** The foreground p99 before a refill; used on the refill thread only. */
	private final ForegroundBaseline baseline;

	/** Renews the lease of the run in progress ({@link LeaseKeeper}). */
	private final ScheduledExecutorService leaseThread;

	private volatile boolean stopping;

	public Refill(Map<NodeAddress, ? extends RefillNode> nodes, Placement placement, KeyEncoder keys,
			ReplicaWriter writer, EngineMetrics metrics, RefillOptions options, LongSupplier wallClock,
			Duration commandWait, @Nullable EntrySigner signer, LatencyHistogram foreground) {
		this.view = new RefillView(nodes, placement, null);
		this.keys = keys;
		this.writer = writer;
		this.metrics = metrics;
		this.options = options;
		this.wallClock = wallClock;
		this.commandWait = commandWait;
		this.foreground = foreground;
		this.retries = new RetrySchedule(options.checkInterval(), MAX_RETRY_INTERVAL);
		this.baseline = new ForegroundBaseline(foreground);
		this.markers = new NodeMarkers(keys, (signer != null) ? signer.lineSigner(LineSigner.MARKER) : null, wallClock,
				commandWait);
		this.leaseSigner = (signer != null) ? signer.lineSigner(LineSigner.LEASE) : null;
		for (NodeAddress address : nodes.keySet()) {
			track(address);
		}
		this.thread = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread refill = new Thread(task, "memquorum-refill");
			refill.setDaemon(true);
			return refill;
		});
		this.leaseThread = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread renewer = new Thread(task, "memquorum-refill-lease");
			renewer.setDaemon(true);
			return renewer;
		});
	}

	private void track(NodeAddress address) {
		this.progress.computeIfAbsent(address, (added) -> {
			RefillProgress node = new RefillProgress(added, this.options.enabled() ? Phase.UNKNOWN : Phase.DISABLED);
			this.metrics.registerRefill(added, node::status);
			return node;
		});
	}

	/**
	 * The node set changed: from now on fill every node of {@code placement} for the
	 * change, listing every node of {@code nodes} (the old owners among them) and reading
	 * each key from its owners under both placements. Each node of the new placement may
	 * lack entries until a run under this view completes it ({@link #isFilled}).
	 * @param nodes every node the engine is connected to: the new placement's and those
	 * only the previous one names
	 * @param placement the placement to fill for
	 * @param previous the placement before the change, or {@code null} once the change is
	 * finished
	 */
	public void placementChanged(Map<NodeAddress, ? extends RefillNode> nodes, Placement placement,
			@Nullable Placement previous) {
		RefillView next = new RefillView(Map.copyOf(nodes), placement, previous);
		synchronized (this.filledFor) {
			RefillView before = this.view;
			this.view = next;
			for (NodeAddress address : placement.nodes()) {
				track(address);
				if (previous != null) {
					// A node filled before the change may gain keys in it: no miss of it
					// counts until a run under this view completes it.
					nodes.get(address).mayLackEntries(true);
				}
			}
			if (previous == null && before.previous() != null) {
				// The change finished: a node filled for it is filled for the placement.
				for (NodeAddress address : placement.nodes()) {
					if (before.fingerprint().equals(this.filledFor.get(address))) {
						this.filledFor.put(address, next.fingerprint());
					}
				}
			}
		}
		if (!this.options.enabled()) {
			if (previous == null) {
				// Nothing fills a node without refill: once the change is over, a miss
				// counts again, as it always does without refill.
				placement.nodes().forEach((address) -> nodes.get(address).mayLackEntries(false));
			}
			return;
		}
		if (this.stopping) {
			return;
		}
		this.retries.clear();
		if (previous != null) {
			try {
				this.thread.execute(this::checkAll);
			}
			catch (RejectedExecutionException ex) {
				// closing
			}
		}
	}

	/**
	 * A node left the node set: delete its marker, best effort, so that if it joins again
	 * later with the same process (its memcached kept running, missing every write
	 * meanwhile), no marker of an earlier change makes it count as complete.
	 * @param node the node that left
	 * @return completes when the node answered or failed
	 */
	public CompletableFuture<?> forget(RefillNode node) {
		this.filledFor.remove(node.address());
		try {
			return node.connection().delete(this.markers.key()).exceptionally((failure) -> false);
		}
		catch (RuntimeException ex) {
			return CompletableFuture.completedFuture(false);
		}
	}

	/**
	 * Whether a node is complete for the current view: for the change in progress when
	 * there is one.
	 * @param address the node
	 * @return whether its last check or run under this view found or made it complete
	 */
	public boolean isFilled(NodeAddress address) {
		return this.view.fingerprint().equals(this.filledFor.get(address));
	}

	/**
	 * A check or run under {@code view} found or made the node complete: it may serve
	 * misses again, unless the view changed meanwhile.
	 */
	private void filled(RefillNode node, RefillView view) {
		synchronized (this.filledFor) {
			if (this.view == view) {
				node.mayLackEntries(false);
				this.filledFor.put(node.address(), view.fingerprint());
			}
		}
	}

	/** Start checking nodes: the first check runs at once. */
	public void start() {
		if (this.options.enabled()) {
			this.thread.scheduleWithFixedDelay(this::checkAll, 0, this.options.checkInterval().toMillis(),
					TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * The engine found a node restarted, replaced or flushed: check it now.
	 * @param node the node
	 * @param reason what happened, for the log
	 */
	public void nodeEmptied(RefillNode node, String reason) {
		node.mayLackEntries(true);
		// Empty, it holds nothing stale: a verification asked before is moot.
		this.toVerify.remove(node.address());
		if (!this.options.enabled() || this.stopping) {
			return;
		}
		this.retries.forget(node.address());
		try {
			this.thread.execute(() -> check(node, reason));
		}
		catch (RejectedExecutionException ex) {
			// closing
		}
	}

	/**
	 * Whether {@link #verify} can bring a node up to date: refill is on, and no node was
	 * found unable to list its keys (crawler disabled), which would keep every run
	 * incomplete. Otherwise only a flush can.
	 * @return whether verifying runs can complete
	 */
	public boolean canVerify() {
		return this.options.enabled() && this.crawlerDisabled.isEmpty();
	}

	/**
	 * The engine dropped hints of a node (its hint log overflowed): compare every key the
	 * node should hold with its peers and write the newest version where it is missing or
	 * older ({@link VerifyingWrites}), then tell the node
	 * ({@link RefillNode#verificationStarted}). Asked again while queued or running, it
	 * does nothing; a run that does not complete is retried as any refill is.
	 * @param node the node
	 * @param reason what happened, for the log
	 */
	public void verify(RefillNode node, String reason) {
		if (!this.options.enabled() || this.stopping || !this.toVerify.add(node.address())) {
			return;
		}
		// The reason says whether the node serves reads meanwhile: an operator's request
		// (ReplicatedMemcached#verify) leaves a readable node readable.
		logger.warn("memcached node {} is to be verified against its peers, because {}", node.address(), reason);
		this.retries.dueNow(node.address());
		try {
			this.thread.execute(() -> check(node, reason));
		}
		catch (RejectedExecutionException ex) {
			// closing
		}
	}

	public List<RefillStatus> status() {
		Set<NodeAddress> current = this.view.nodes().keySet();
		synchronized (this.progress) {
			return this.progress.values()
				.stream()
				.map(RefillProgress::status)
				.filter((status) -> current.contains(status.address()))
				.toList();
		}
	}

	private void checkAll() {
		try {
			this.baseline.tick();
			long now = System.nanoTime();
			RefillView view = this.view;
			for (NodeAddress address : view.placement().nodes()) {
				RefillNode node = view.nodes().get(address);
				if (this.stopping) {
					return;
				}
				if (this.retries.isDue(node.address(), now, this::isBack)) {
					check(node, null);
				}
			}
		}
		catch (RuntimeException ex) {
			// The refill thread must survive anything, or no node is ever refilled again.
			logger.error("memquorum refill check failed; continuing", ex);
		}
	}

	/** Whether a peer is not marked down (or has left the node set). */
	private boolean isBack(NodeAddress peer) {
		RefillNode known = this.view.nodes().get(peer);
		return known == null || !known.isDown();
	}

	private void check(RefillNode node, @Nullable String reason) {
		// One view for the whole check and run: a change meanwhile makes its result count
		// for nothing (see filled).
		RefillView view = this.view;
		RefillProgress progress = this.progress.get(node.address());
		if (this.stopping || node.isDown() || !view.placement().nodes().contains(node.address())) {
			// A node that is leaving the node set holds nothing it should be filled with.
			return;
		}
		NodeIncarnation incarnation;
		RefillMarker.Reading reading;
		try {
			// The process life first: a marker read before a restart and judged against
			// the new life would count for a node that is empty.
			incarnation = NodeIncarnation.of(this.markers.await(node.connection().stats(), node, "report its stats"));
			if (incarnation == null) {
				throw new RefillException(node.address() + " reported no pid, time and uptime in its stats");
			}
			reading = this.markers.read(node, incarnation);
		}
		catch (RefillException ex) {
			logger.debug("Refill check of {} failed: {}", node.address(), ex.getMessage());
			return;
		}
		RefillMarker.Contents marker = reading.contents();
		// A node to verify is run whatever its marker says: it may hold stale entries.
		boolean verifying = this.toVerify.contains(node.address());
		if (marker != null && marker.covers(view.fingerprint())) {
			filled(node, view);
			progress.phase = Phase.COMPLETE;
			progress.completedAt = Instant.ofEpochMilli(marker.completedAtMillis());
			if (!verifying) {
				this.retries.stopWaiting(node.address());
				progress.missingPeers = List.of();
				return;
			}
		}
		else {
			node.mayLackEntries(true);
		}
		if (reason == null && this.retries.waitsForPeers(node.address(), this::isBack)) {
			// The last run copied what the peers that are up hold, and the node has taken
			// every write since: another run would copy nothing new until they are back.
			return;
		}
		String why = (reason != null) ? reason
				: verifying ? "it missed more writes than this instance's hints for it hold" : (marker == null)
						? String.valueOf(reading.rejection())
						: (view.previous() != null) ? "the node set changed" : "it was filled for another node list";
		RefillLease lease = new RefillLease(node::connection, this.keys.internalKey(RefillLease.NAME), this.owner,
				this.options.leaseTtl(), this.commandWait, incarnation, this.leaseSigner, this.wallClock);
		long takenAt = System.nanoTime();
		try {
			if (!lease.tryAcquire()) {
				progress.phase = Phase.WAITING;
				return;
			}
		}
		catch (RefillException ex) {
			logger.debug("Refill of {} could not take its lease: {}", node.address(), ex.getMessage());
			return;
		}
		RefillMarker.Contents meanwhile = verifying ? null
				: this.markers.completedMeanwhile(node, incarnation, lease, view.fingerprint());
		if (meanwhile != null) {
			// Another instance finished between the marker read above and its lease's
			// release: the node is complete, and a second run would copy nothing.
			filled(node, view);
			this.retries.stopWaiting(node.address());
			progress.missingPeers = List.of();
			progress.phase = Phase.COMPLETE;
			progress.completedAt = Instant.ofEpochMilli(meanwhile.completedAtMillis());
			return;
		}
		LeaseKeeper keeper = null;
		try {
			keeper = new LeaseKeeper(lease, node.address(), this.options.leaseTtl(), takenAt, this.leaseThread,
					System::nanoTime);
			refill(node, why, marker, incarnation, keeper, progress, view);
		}
		catch (RejectedExecutionException ex) {
			// closing
		}
		finally {
			if (keeper != null) {
				keeper.close();
			}
			lease.release();
			// The refill shaped the foreground latency of this window: not a baseline.
			this.baseline.skip();
		}
	}

	private void refill(RefillNode node, String why, RefillMarker.@Nullable Contents marker,
			NodeIncarnation incarnation, LeaseKeeper lease, RefillProgress progress, RefillView view) {
		// Every other node, those leaving the node set included: during a change they are
		// old owners, and may hold the only copies of what the node gains.
		List<RefillNode> peers = view.nodes()
			.values()
			.stream()
			.filter((peer) -> peer != node)
			.map(RefillNode.class::cast)
			.toList();
		boolean verifying = this.toVerify.contains(node.address());
		// Taken before the listing starts: what the node missed until now is on a peer.
		Runnable verified = verifying ? node.verificationStarted() : null;
		progress.started();
		if (verifying) {
			progress.phase = Phase.VERIFYING;
		}
		// Once every peer is known to run without its crawler, retries say nothing new.
		boolean quiet = this.crawlerDisabled.containsAll(peers.stream().map((peer) -> peer.address()).toList());
		if (!quiet) {
			logger.info("{} memcached node {} from {} peers because {}", verifying ? "Verifying" : "Refilling",
					node.address(), peers.size(), why);
		}
		this.metrics.refillStarted(node.address());
		RefillRun.Outcome outcome;
		try {
			RefillRun run = new RefillRun(node, peers, view.placement(), view.previous(), this.keys,
					verifying ? new VerifyingWrites(this.writer) : this.writer, pace(), lease, progress, this.metrics,
					this.wallClock, () -> this.stopping, this.options.listingTimeout(),
					this.commandWait.multipliedBy(4), this.options.heapLimit());
			outcome = run.run();
		}
		catch (RefillException ex) {
			progress.phase = Phase.INCOMPLETE;
			progress.problem = ex.getMessage();
			this.metrics.refillFinished(node.address(), false);
			if (this.stopping) {
				logger.info(
						"Refill of memcached node {} stopped after copying {} of {} entries: this instance is "
								+ "shutting down and releases the lease, so another instance can finish it",
						node.address(), progress.copied, progress.total);
			}
			else {
				logger.warn("Refill of memcached node {} stopped after copying {} of {} entries: {}; retrying",
						node.address(), progress.copied, progress.total, ex.getMessage());
			}
			this.retries.retryLater(node.address());
			return;
		}
		if (!outcome.crawlerDisabled().isEmpty()) {
			boolean first = this.crawlerDisabled.isEmpty();
			this.crawlerDisabled.addAll(outcome.crawlerDisabled());
			if (first) {
				logger.warn("memcached node {} runs with its LRU crawler disabled (-o no_lru_crawler): it cannot list "
						+ "its keys, so memquorum cannot refill other nodes from it. Until memcached runs without "
						+ "that option, restarted nodes get data back only from new writes and read repair, and "
						+ "no completeness marker is written. This is logged once; the health details name the "
						+ "nodes.", outcome.crawlerDisabled().get(0));
			}
		}
		boolean onlyCrawler = !outcome.crawlerDisabled().isEmpty()
				&& outcome.problems().size() == outcome.crawlerDisabled().size();
		double seconds = outcome.nanos() / 1e9;
		this.retries.stopWaiting(node.address());
		progress.missingPeers = outcome.unlisted();
		if (outcome.complete() && this.markers.write(node, marker, incarnation, lease, view)) {
			filled(node, view);
			progress.phase = Phase.COMPLETE;
			progress.completedAt = Instant.ofEpochMilli(this.wallClock.getAsLong());
			this.retries.dueNow(node.address());
			this.metrics.refillFinished(node.address(), true);
			if (verified != null) {
				verified.run();
				this.toVerify.remove(node.address());
				this.metrics.nodeVerified(node.address());
				logger.info("Verified memcached node {} against its peers: {} of {} entries were missing or older"
						+ " and were written, in {} s; it serves reads again unless it missed more writes meanwhile",
						node.address(), outcome.copied(), outcome.total(), String.format("%.1f", seconds));
				return;
			}
			logger.info(
					"Refilled memcached node {}: copied {} of {} entries ({} KB) in {} s ({} entries/s); it is complete",
					node.address(), outcome.copied(), outcome.total(), outcome.bytes() / 1024,
					String.format("%.1f", seconds), Math.round(outcome.examined() / Math.max(seconds, 0.001)));
			logger.debug("Refill of {} remembered {} copied keys in {} KB of heap{}", node.address(),
					outcome.keysRemembered(), outcome.rememberedBytes() / 1024,
					outcome.rememberedAll() ? "" : " (full: later keys were not remembered)");
			return;
		}
		progress.phase = Phase.INCOMPLETE;
		progress.problem = outcome.problems().isEmpty() ? "the refill lease was lost before the marker was written"
				: String.join("; ", outcome.problems());
		List<NodeAddress> down = outcome.unlisted()
			.stream()
			.filter((peer) -> view.nodes().containsKey(peer) && view.nodes().get(peer).isDown())
			.toList();
		if (!down.isEmpty() && down.size() == outcome.problems().size()) {
			// Only peers that are down kept the run from completing: wait for them.
			this.retries.waitFor(node.address(), down);
		}
		this.metrics.refillFinished(node.address(), false);
		if (quiet || onlyCrawler) {
			logger.debug("Refill of memcached node {} incomplete: {}", node.address(), progress.problem);
		}
		else {
			logger.warn("Refill of memcached node {} incomplete after copying {} of {} entries in {} s: {}; retrying",
					node.address(), outcome.copied(), outcome.total(), String.format("%.1f", seconds),
					progress.problem);
		}
		this.retries.retryLater(node.address());
	}

	/**
	 * The pace of a run about to start: adaptive from the foreground p99 of the windows
	 * before it, or the fixed rate.
	 */
	private RefillPace pace() {
		if (!this.options.adaptive()) {
			return new RefillPace(this.options.entriesPerSecond(), this.options.bytesPerSecond());
		}
		this.baseline.tick();
		// An idle foreground has nothing to protect: the pace starts at its ceiling, and
		// takes a baseline of its own should a foreground appear.
		long before = this.baseline.isIdleNow() ? -1 : this.baseline.p99Nanos();
		return new RefillPace(this.options.entriesPerSecond(), this.options.bytesPerSecond(),
				new AdaptivePace(this.foreground, this.options.latencyFactor(), before, this.options.entriesPerSecond(),
						System::nanoTime));
	}

	@Override
	public void close() {
		this.stopping = true;
		this.leaseThread.shutdown();
		this.thread.shutdown();
		try {
			if (!this.thread.awaitTermination(2, TimeUnit.SECONDS)) {
				this.thread.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			this.thread.shutdownNow();
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public String toString() {
		return "Refill[" + this.view.fingerprint() + ", " + this.options + "]";
	}

}
