package io.memquorum.refill;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import io.memquorum.engine.KeyEncoder;
import io.memquorum.metrics.EngineMetrics;
import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeIncarnation;
import io.memquorum.node.NodeConnection.StoredValue;
import io.memquorum.node.StoredItem;
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

	private final Map<NodeAddress, ? extends RefillNode> nodes;

	private final Placement placement;

	private final KeyEncoder keys;

	private final ReplicaWriter writer;

	private final EngineMetrics metrics;

	private final RefillOptions options;

	private final LongSupplier wallClock;

	private final Duration commandWait;

	private final String fingerprint;

	/** Signs and verifies markers when signing keys are set; null otherwise. */
	private final @Nullable LineSigner markerSigner;

	/** Signs and verifies leases when signing keys are set; null otherwise. */
	private final @Nullable LineSigner leaseSigner;

	private final String owner = UUID.randomUUID().toString();

	private final Map<NodeAddress, RefillProgress> progress = new LinkedHashMap<>();

	private final Map<NodeAddress, Long> nextAttemptAtNanos = new ConcurrentHashMap<>();

	private final Map<NodeAddress, Long> retryIntervalNanos = new ConcurrentHashMap<>();

	/**
	 * Nodes the engine asked to verify ({@link #verify}): their next run compares every
	 * key whatever their marker says, with {@link VerifyingWrites}.
	 */
	private final Set<NodeAddress> toVerify = ConcurrentHashMap.newKeySet();

	/**
	 * For each node whose last run could not list some peer because it was down: those
	 * peers. The node is refilled again as soon as they are all back, without waiting for
	 * its retry interval.
	 */
	private final Map<NodeAddress, List<NodeAddress>> waitingFor = new ConcurrentHashMap<>();

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
		this.nodes = nodes;
		this.placement = placement;
		this.keys = keys;
		this.writer = writer;
		this.metrics = metrics;
		this.options = options;
		this.wallClock = wallClock;
		this.commandWait = commandWait;
		this.foreground = foreground;
		this.baseline = new ForegroundBaseline(foreground);
		this.fingerprint = RefillMarker.fingerprint(placement);
		this.markerSigner = (signer != null) ? signer.lineSigner(LineSigner.MARKER) : null;
		this.leaseSigner = (signer != null) ? signer.lineSigner(LineSigner.LEASE) : null;
		for (NodeAddress address : nodes.keySet()) {
			RefillProgress node = new RefillProgress(address, options.enabled() ? Phase.UNKNOWN : Phase.DISABLED);
			this.progress.put(address, node);
			metrics.registerRefill(address, node::status);
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
		this.nextAttemptAtNanos.remove(node.address());
		this.retryIntervalNanos.remove(node.address());
		this.waitingFor.remove(node.address());
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
		this.nextAttemptAtNanos.remove(node.address());
		this.retryIntervalNanos.remove(node.address());
		try {
			this.thread.execute(() -> check(node, reason));
		}
		catch (RejectedExecutionException ex) {
			// closing
		}
	}

	public List<RefillStatus> status() {
		return this.progress.values().stream().map(RefillProgress::status).toList();
	}

	private void checkAll() {
		try {
			this.baseline.tick();
			long now = System.nanoTime();
			for (RefillNode node : this.nodes.values()) {
				if (this.stopping) {
					return;
				}
				Long next = this.nextAttemptAtNanos.get(node.address());
				boolean waiting = this.waitingFor.containsKey(node.address());
				if (next == null || now - next >= 0 || (waiting && peersAreBack(node))) {
					check(node, null);
				}
			}
		}
		catch (RuntimeException ex) {
			// The refill thread must survive anything, or no node is ever refilled again.
			logger.error("memquorum refill check failed; continuing", ex);
		}
	}

	private boolean peersAreBack(RefillNode node) {
		List<NodeAddress> missing = this.waitingFor.get(node.address());
		if (missing == null) {
			return false;
		}
		for (NodeAddress peer : missing) {
			RefillNode known = this.nodes.get(peer);
			if (known != null && known.isDown()) {
				return false;
			}
		}
		return true;
	}

	private void check(RefillNode node, @Nullable String reason) {
		RefillProgress progress = this.progress.get(node.address());
		if (this.stopping || node.isDown()) {
			return;
		}
		NodeIncarnation incarnation;
		RefillMarker.Reading reading;
		try {
			// The process life first: a marker read before a restart and judged against
			// the new life would count for a node that is empty.
			incarnation = NodeIncarnation.of(await(node.connection().stats(), node, "report its stats"));
			if (incarnation == null) {
				throw new RefillException(node.address() + " reported no pid, time and uptime in its stats");
			}
			reading = readMarker(node, incarnation);
		}
		catch (RefillException ex) {
			logger.debug("Refill check of {} failed: {}", node.address(), ex.getMessage());
			return;
		}
		RefillMarker.Contents marker = reading.contents();
		// A node to verify is run whatever its marker says: it may hold stale entries.
		boolean verifying = this.toVerify.contains(node.address());
		if (marker != null && marker.covers(this.fingerprint)) {
			node.mayLackEntries(false);
			progress.phase = Phase.COMPLETE;
			progress.completedAt = Instant.ofEpochMilli(marker.completedAtMillis());
			if (!verifying) {
				this.waitingFor.remove(node.address());
				progress.missingPeers = List.of();
				return;
			}
		}
		else {
			node.mayLackEntries(true);
		}
		if (reason == null && this.waitingFor.containsKey(node.address()) && !peersAreBack(node)) {
			// The last run copied what the peers that are up hold, and the node has taken
			// every write since: another run would copy nothing new until they are back.
			return;
		}
		String why = (reason != null) ? reason : verifying
				? "it missed more writes than this instance's hints for it hold"
				: (marker == null) ? String.valueOf(reading.rejection()) : "it was filled for another node list";
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
		RefillMarker.Contents meanwhile = verifying ? null : completedMeanwhile(node, incarnation, lease);
		if (meanwhile != null) {
			// Another instance finished between the marker read above and its lease's
			// release: the node is complete, and a second run would copy nothing.
			node.mayLackEntries(false);
			this.waitingFor.remove(node.address());
			progress.missingPeers = List.of();
			progress.phase = Phase.COMPLETE;
			progress.completedAt = Instant.ofEpochMilli(meanwhile.completedAtMillis());
			return;
		}
		LeaseKeeper keeper = null;
		try {
			keeper = new LeaseKeeper(lease, node.address(), this.options.leaseTtl(), takenAt, this.leaseThread,
					System::nanoTime);
			refill(node, why, marker, incarnation, keeper, progress);
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
			NodeIncarnation incarnation, LeaseKeeper lease, RefillProgress progress) {
		List<RefillNode> peers = this.nodes.values()
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
			RefillRun run = new RefillRun(node, peers, this.placement, this.keys,
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
			retryLater(node.address());
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
		this.waitingFor.remove(node.address());
		progress.missingPeers = outcome.unlisted();
		if (outcome.complete() && writeMarker(node, marker, incarnation, lease)) {
			node.mayLackEntries(false);
			progress.phase = Phase.COMPLETE;
			progress.completedAt = Instant.ofEpochMilli(this.wallClock.getAsLong());
			this.nextAttemptAtNanos.remove(node.address());
			this.retryIntervalNanos.remove(node.address());
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
			.filter((peer) -> this.nodes.containsKey(peer) && this.nodes.get(peer).isDown())
			.toList();
		if (!down.isEmpty() && down.size() == outcome.problems().size()) {
			// Only peers that are down kept the run from completing: wait for them.
			this.waitingFor.put(node.address(), down);
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
		retryLater(node.address());
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
		return new RefillPace(this.options.entriesPerSecond(), this.options.bytesPerSecond(),
				new AdaptivePace(this.foreground, this.options.latencyFactor(), this.baseline.p99Nanos(),
						this.options.entriesPerSecond(), System::nanoTime));
	}

	private boolean writeMarker(RefillNode node, RefillMarker.@Nullable Contents marker, NodeIncarnation incarnation,
			LeaseKeeper lease) {
		try {
			// A renewed lease proves the node is still the incarnation that was filled: a
			// restart would have taken the lease with it.
			if (!lease.renewNow()) {
				return false;
			}
			byte[] value = RefillMarker.encode(markerKey(), node.address(), incarnation,
					RefillMarker.withFingerprint(marker, this.fingerprint), this.wallClock.getAsLong(),
					this.markerSigner);
			return await(node.connection().set(markerKey(), 0, new StoredValue(0, value)), node, "write its marker");
		}
		catch (RefillException ex) {
			logger.debug("Could not mark {} complete: {}", node.address(), ex.getMessage());
			return false;
		}
	}

	private void retryLater(NodeAddress address) {
		long interval = this.retryIntervalNanos.merge(address, this.options.checkInterval().toNanos(),
				(previous, first) -> Math.min(previous * 2, MAX_RETRY_INTERVAL.toNanos()));
		this.nextAttemptAtNanos.put(address, System.nanoTime() + interval);
	}

	private RefillMarker.Reading readMarker(RefillNode node, NodeIncarnation incarnation) {
		return RefillMarker.read(value(await(node.connection().gets(markerKey()), node, "read its marker")),
				markerKey(), node.address(), incarnation, this.markerSigner);
	}

	/**
	 * The node's marker, read again now that this instance holds the lease, when it says
	 * the node is complete; then the lease is released.
	 */
	private RefillMarker.@Nullable Contents completedMeanwhile(RefillNode node, NodeIncarnation incarnation,
			RefillLease lease) {
		RefillMarker.Contents marker;
		try {
			marker = readMarker(node, incarnation).contents();
		}
		catch (RefillException ex) {
			// The run reads the node anyway and fails there if it is gone.
			return null;
		}
		if (marker == null || !marker.covers(this.fingerprint)) {
			return null;
		}
		lease.release();
		return marker;
	}

	private String markerKey() {
		return this.keys.internalKey(RefillMarker.NAME);
	}

	private static byte @Nullable [] value(@Nullable StoredItem item) {
		return (item != null && item.flags() == 0) ? item.data() : null;
	}

	private <T> T await(CompletableFuture<T> future, RefillNode node, String what) {
		try {
			return future.get(this.commandWait.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw new RefillException(node.address() + " could not " + what + ": " + ex.getCause().getMessage(),
					ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new RefillException(
					node.address() + " did not " + what + " in " + this.commandWait.toMillis() + " ms", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RefillException("stopped");
		}
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
		return "Refill[" + this.fingerprint + ", " + this.options + "]";
	}

}
