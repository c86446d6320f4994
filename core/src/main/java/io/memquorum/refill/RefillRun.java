package io.memquorum.refill;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import io.memquorum.engine.KeyEncoder;
import io.memquorum.metrics.EngineMetrics;
import io.memquorum.node.DumpedKey;
import io.memquorum.node.MetadumpReader;
import io.memquorum.node.MetadumpUnavailableException;
import io.memquorum.node.NodeAddress;
import io.memquorum.placement.Placement;
import org.jspecify.annotations.Nullable;

/**
 * One refill of one node: list what its peers hold, keep the keys the node should hold,
 * and copy each entry with the repair rule, as the listing streams.
 *
 * <h2>Steps</h2>
 * <ol>
 * <li>Every peer that is not marked down lists its keys ({@link MetadumpReader}), twice
 * (a listing is not a snapshot, see {@link #LISTINGS_PER_PEER}). Keys outside the key
 * prefix, memquorum's own items, and keys whose replicas do not include the node are
 * dropped. The rest are gathered into batches as they stream in, and each full batch is
 * copied before the listing is read on: the listing waits on its socket meanwhile, so the
 * keys of a listing are never all in memory.</li>
 * <li>{@link BatchCopy} copies each batch: each key of a batch is read from every peer
 * that is one of its replicas and not down, the newest envelope (value or tombstone)
 * wins, and it is written to the node where the node holds nothing, or an older version
 * when a tombstone is involved ({@link CopyRule#copies}); for keys whose store registered
 * a merge (sessions and their index items), the merge of the copy and what the node holds
 * ({@link CopyRule#decide}). Writes are compare-and-swap through {@link ReplicaWriter},
 * with the copy's remaining lifetime: the envelope's own expiry, capped by the expiry
 * memcached listed when the newest envelope came from the peer that listed it, so a copy
 * never lives longer than its source.</li>
 * <li>A key copied once in the run is remembered as a 64-bit hash ({@link SeenKeys}), so
 * the second listing of a peer, and the listings of the other peers, copy only what the
 * earlier ones missed.</li>
 * <li>The lease is renewed on a thread of its own ({@link LeaseKeeper}); each batch
 * checks it first, and a lost lease (the node restarted, or the lease expired and another
 * instance took over) stops the run.</li>
 * </ol>
 * <h2>Complete means complete</h2> The run is complete only when every other node of the
 * node list listed its keys, and every entry was read and written. Then the caller writes
 * the node's marker. A peer that is down, or whose listing failed, is not skipped: the
 * run copies what the other peers hold, but is incomplete, since keys (or the tombstones
 * of deletes) whose only other copy sits on that peer are missing. A run that is not
 * complete leaves no marker, so the node's misses still do not count toward a majority;
 * it is retried at the next check, and at once when a peer that was down is back; what it
 * copied stays.
 *
 * <h2>Heap</h2> Bounded by {@link RefillOptions#heapLimit()}, whatever the node's size:
 * half of it for the {@link SeenKeys} table (11 to 32 bytes per key), and batches of at
 * most {@link #BATCH} keys and a twenty-fourth of it in listed bytes (each batch's values
 * are held up to three times, read from every replica, the node filled included; three
 * batches are in flight: one being read, the one before it being written, and the one
 * before that finishing its writes). On a small node batches are smaller still
 * ({@link #batchKeysFor}), so that the heap per listed key does not grow as the node
 * shrinks. When the table is full, later keys are not remembered and are merely copied
 * again if listed again.
 *
 * <p>
 * Runs on the refill thread, which sends a batch's reads before it waits for the reads of
 * the batch before, so that their round trips overlap; it never runs on a reactor or the
 * maintenance thread.
 */
final class RefillRun {

	/**
	 * The most entries read and written per round: their reads go out at once, then their
	 * writes.
	 */
	static final int BATCH = 200;

	/**
	 * The fewest entries per round, however small the node: below this, round trips
	 * rather than the nodes bound the rate.
	 */
	static final int MIN_BATCH = 32;

	/**
	 * A batch takes at most one key in this many of the first peer's items. A batch's
	 * values are held about six times at its fullest moment (read from every replica,
	 * then encoded for the write, with the next batch's reads and the last batch's writes
	 * still under way), so a batch of 1 KB entries costs about 6 KB a key: at one key in
	 * 512 items, about 12 bytes of heap per listed key, on a small node as on a large
	 * one, where a fixed batch of {@link #BATCH} cost a node of 14,000 items about 85
	 * (measured by {@code RefillTimeline} in benchmarks/).
	 */
	static final int ITEMS_PER_BATCH_KEY = 512;

	/**
	 * A paced refill sends about this many batches a second at most: a slow pace copies
	 * small batches often rather than large ones seldom. Each batch holds the foreground
	 * requests that share its nodes' connections up for as long as its replies take, and
	 * the foreground p99 feels any hold-up that covers more than a hundredth of the time:
	 * at 1,000 entries/s, batches of 32 keys every 32 ms raised a 0.4 ms p99 to 1 to 2
	 * ms, however slow the rate.
	 */
	static final int PACED_BATCHES_PER_SECOND = 200;

	/** The fewest entries per batch of a paced refill. */
	static final int MIN_PACED_BATCH = 4;

	/**
	 * How often each peer lists its keys. A listing is not a snapshot: memcached's
	 * crawler walks its LRU queues while items move between them, so an item that moves
	 * at the wrong moment can be missed. A second listing, read a moment later, catches
	 * what the first missed; it copies only keys the first did not.
	 */
	static final int LISTINGS_PER_PEER = 2;

	/** Listed keys between two checks of the lease and of a stop request. */
	private static final int CHECK_EVERY = 256;

	private final RefillNode target;

	private final List<RefillNode> peers;

	private final Placement placement;

	/**
	 * During a change of the node set, the placement before it: each key is read from its
	 * owners under both, so that the old owners, which may hold the only copies, are
	 * among the sources. The node should hold what {@link #placement} gives it.
	 */
	private final @Nullable Placement previous;

	private final KeyEncoder keys;

	private final ReplicaWriter writer;

	private final RefillPace pace;

	private final LeaseKeeper lease;

	private final RefillProgress progress;

	private final EngineMetrics metrics;

	private final LongSupplier wallClock;

	private final BooleanSupplier stopping;

	private final Duration listingTimeout;

	private final Duration batchTimeout;

	private final SeenKeys seen;

	private final long batchBytesLimit;

	private final List<String> problems = new ArrayList<>();

	private final List<NodeAddress> crawlerDisabled = new ArrayList<>();

	/** Peers whose keys were not all listed: down, or their listing failed. */
	private final List<NodeAddress> unlisted = new ArrayList<>();

	private final List<BatchCopy.Listed> batch = new ArrayList<>(BATCH);

	private long batchBytes;

	/** Entries per round, from the first peer's item count once it is known. */
	private int batchKeys = BATCH;

	/** The batch whose reads are under way while the last one's writes are sent. */
	private BatchCopy.@Nullable Reading reading;

	/** The batch whose writes are under way while the next one is read, if any. */
	private BatchCopy.@Nullable Pending writing;

	/** The peers listed and read: those not marked down when the run started. */
	private final List<RefillNode> sources;

	private final BatchCopy copier;

	RefillRun(RefillNode target, List<RefillNode> peers, Placement placement, @Nullable Placement previous,
			KeyEncoder keys, ReplicaWriter writer, RefillPace pace, LeaseKeeper lease, RefillProgress progress,
			EngineMetrics metrics, LongSupplier wallClock, BooleanSupplier stopping, Duration listingTimeout,
			Duration batchTimeout, long heapLimit) {
		this.target = target;
		this.peers = peers;
		this.placement = placement;
		this.previous = previous;
		this.keys = keys;
		this.writer = writer;
		this.pace = pace;
		this.lease = lease;
		this.progress = progress;
		this.metrics = metrics;
		this.wallClock = wallClock;
		this.stopping = stopping;
		this.listingTimeout = listingTimeout;
		this.batchTimeout = batchTimeout;
		this.seen = new SeenKeys(heapLimit / 2);
		// Three batches are in flight, and each key is read from every replica, the node
		// filled included: a twenty-fourth each keeps them within the other half.
		this.batchBytesLimit = Math.max(64 * 1024, heapLimit / 24);
		this.sources = peers.stream().filter((peer) -> !peer.isDown()).toList();
		this.copier = new BatchCopy(target, this.sources, writer, progress, metrics, wallClock, batchTimeout,
				this.problems);
	}

	/**
	 * Copy everything the node should hold.
	 * @return what happened
	 * @throws RefillException when the node or the lease was lost, or the run was stopped
	 */
	Outcome run() {
		long start = System.nanoTime();
		for (RefillNode peer : this.peers) {
			if (!this.sources.contains(peer)) {
				// What only this peer holds cannot be copied now: the run copies what the
				// others hold, but cannot complete.
				this.unlisted.add(peer.address());
				this.problems.add(peer.address() + " is down, so its keys were not listed (entries only it holds "
						+ "are missing; the node is refilled again once it is back)");
			}
		}
		for (int i = 0; i < this.sources.size(); i++) {
			listAndCopy(i);
			stopIfAsked();
		}
		flush();
		awaitWrites();
		return new Outcome(this.problems.isEmpty() && this.unlisted.isEmpty(), List.copyOf(this.problems),
				List.copyOf(this.unlisted), List.copyOf(this.crawlerDisabled), this.progress.copied,
				this.progress.examined, this.progress.total, this.copier.copiedBytes(), System.nanoTime() - start,
				this.seen.size(), this.seen.bytes(), !this.seen.isFull());
	}

	/** List one peer, twice, copying as the keys stream in. */
	private void listAndCopy(int source) {
		RefillNode peer = this.sources.get(source);
		String prefix = this.keys.prefix();
		NodeAddress self = this.target.address();
		MetadumpReader reader = peer.connection().keyListing(this.listingTimeout);
		long[] listed = new long[1];
		if (source == 0) {
			long items = RefillEstimate.itemsOn(peer, this.batchTimeout);
			this.progress.estimateFrom(items);
			this.batchKeys = batchKeysFor(items);
			this.seen.expect(items);
		}
		for (int listing = 0; listing < LISTINGS_PER_PEER; listing++) {
			String problem = listWithRetries(reader, (dumped) -> {
				if (++listed[0] % CHECK_EVERY == 0) {
					stopIfAsked();
					this.lease.check();
					this.progress.scanned = listed[0];
				}
				String key = dumped.key();
				if (!key.startsWith(prefix) || this.keys.isInternal(key) || this.seen.contains(key)) {
					return true;
				}
				List<NodeAddress> replicas = this.placement.replicasFor(key);
				if (!replicas.contains(self)) {
					return true;
				}
				if (this.previous != null) {
					replicas = withOldOwners(replicas, this.previous.replicasFor(key));
				}
				this.seen.add(key);
				this.progress.total++;
				enqueue(new BatchCopy.Listed(key, dumped.expiresAtSeconds(), Math.max(0, dumped.size()), source,
						replicas));
				return true;
			});
			// What this listing gathered is copied before the next one starts, or before
			// the run gives up on the peer.
			flush();
			awaitWrites();
			this.progress.estimateFrom(-1);
			if (problem != null) {
				this.problems.add(problem);
				this.unlisted.add(peer.address());
				return;
			}
		}
	}

	private static List<NodeAddress> withOldOwners(List<NodeAddress> owners, List<NodeAddress> oldOwners) {
		List<NodeAddress> union = new ArrayList<>(owners);
		for (NodeAddress owner : oldOwners) {
			if (!union.contains(owner)) {
				union.add(owner);
			}
		}
		return union;
	}

	/**
	 * One listing of a peer. A crawler busy with another listing (another instance's
	 * refill, an operator's dump) is asked again after a pause, as is a listing cut off;
	 * keys copied before the cut are not copied again.
	 * @return what went wrong in the end, or {@code null}
	 */
	private @Nullable String listWithRetries(MetadumpReader reader, Predicate<DumpedKey> sink) {
		String problem = null;
		for (int attempt = 1; attempt <= BatchCopy.ATTEMPTS; attempt++) {
			try {
				reader.read(sink);
				return null;
			}
			catch (MetadumpUnavailableException ex) {
				if (ex.isCrawlerDisabled()) {
					this.crawlerDisabled.add(ex.getNode());
					return ex.getMessage();
				}
				problem = ex.getMessage();
				if (!ex.isBusy()) {
					return problem;
				}
			}
			catch (IOException ex) {
				problem = "could not list the keys of " + reader.address() + ": " + ex;
			}
			stopIfAsked();
			if (attempt < BatchCopy.ATTEMPTS) {
				BatchCopy.pause(attempt);
			}
		}
		return problem;
	}

	private void enqueue(BatchCopy.Listed key) {
		this.batch.add(key);
		this.batchBytes += key.size();
		if (this.batch.size() >= batchKeysAt(this.batchKeys, this.pace.limitNow())
				|| this.batchBytes >= this.batchBytesLimit) {
			flush();
		}
	}

	/**
	 * @param batchKeys entries per round for the node's size ({@link #batchKeysFor})
	 * @param entriesPerSecond the pace now
	 * @return entries per round at that pace: fewer when the pace is slow, so that about
	 * {@link #PACED_BATCHES_PER_SECOND} small batches a second spread the refill's load
	 * over time
	 */
	static int batchKeysAt(int batchKeys, long entriesPerSecond) {
		long paced = Math.max(MIN_PACED_BATCH, entriesPerSecond / PACED_BATCHES_PER_SECOND);
		return (int) Math.min(batchKeys, paced);
	}

	/**
	 * @param items the first peer's item count, or -1 when it did not say
	 * @return entries per round
	 */
	static int batchKeysFor(long items) {
		if (items < 0) {
			return BATCH;
		}
		return (int) Math.max(MIN_BATCH, Math.min(BATCH, items / ITEMS_PER_BATCH_KEY));
	}

	/** Copy the keys gathered so far. */
	private void flush() {
		if (this.batch.isEmpty()) {
			return;
		}
		stopIfAsked();
		try {
			this.pace.acquire(this.batch.size(), this.batchBytes);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RefillException("stopped");
		}
		this.lease.check();
		// At most three batches in flight: this one's reads are sent, then the last
		// one's reads are awaited and its writes sent, then the writes of the one before
		// are awaited. The refill thread thus waits on round trips that overlap.
		BatchCopy.Reading sent = this.copier.read(this.batch);
		this.progress.examined += this.batch.size();
		this.batch.clear();
		this.batchBytes = 0;
		writeLastRead();
		this.reading = sent;
		this.progress.tick(this.pace);
	}

	/**
	 * Wait for the writes of the batch before the one last read, then send the writes of
	 * the one last read. In that order, the copies of those two batches are never held at
	 * once, so the heap holds about one batch more than without the overlap: the one
	 * being read.
	 */
	private void writeLastRead() {
		BatchCopy.Reading last = this.reading;
		this.reading = null;
		if (last != null) {
			finishWrites();
			this.writing = this.copier.write(last);
		}
	}

	private void finishWrites() {
		BatchCopy.Pending last = this.writing;
		this.writing = null;
		if (last != null) {
			this.copier.finish(last);
		}
	}

	/** Write the batch last read, and wait for every write under way. */
	private void awaitWrites() {
		writeLastRead();
		finishWrites();
	}

	private void stopIfAsked() {
		if (this.stopping.getAsBoolean() || Thread.currentThread().isInterrupted()) {
			throw new RefillException("stopped");
		}
	}

	/**
	 * What one run did.
	 *
	 * @param complete whether every peer listed and every entry was copied
	 * @param problems what kept it from completing
	 * @param unlisted peers whose keys were not all listed: down, or their listing failed
	 * @param crawlerDisabled peers that cannot list keys because their crawler is off
	 * @param copied entries stored on the node
	 * @param examined entries looked at
	 * @param total entries the peers listed for the node
	 * @param bytes envelope bytes stored
	 * @param nanos how long it took
	 * @param keysRemembered keys held in the run's {@link SeenKeys}
	 * @param rememberedBytes the heap that table took at the end
	 * @param rememberedAll whether every listed key could be remembered
	 */
	record Outcome(boolean complete, List<String> problems, List<NodeAddress> unlisted,
			List<NodeAddress> crawlerDisabled, long copied, long examined, long total, long bytes, long nanos,
			int keysRemembered, long rememberedBytes, boolean rememberedAll) {

	}

}
