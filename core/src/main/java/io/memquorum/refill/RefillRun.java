package io.memquorum.refill;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import io.memquorum.engine.EntryMerge;
import io.memquorum.engine.Envelope;
import io.memquorum.engine.KeyEncoder;
import io.memquorum.metrics.EngineMetrics;
import io.memquorum.node.DumpedKey;
import io.memquorum.node.MetadumpReader;
import io.memquorum.node.MetadumpUnavailableException;
import io.memquorum.node.NodeAddress;
import io.memquorum.node.StoredItem;
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
 * <li>Each key of a batch is read from every peer that is one of its replicas and not
 * down, the newest envelope (value or tombstone) wins, and it is written to the node
 * where the node holds nothing, or an older version when a tombstone is involved
 * ({@link #copies}); for keys whose store registered a merge (sessions and their index
 * items), the merge of the copy and what the node holds ({@link #decide}). Writes are
 * compare-and-swap through {@link ReplicaWriter}, with the copy's remaining lifetime: the
 * envelope's own expiry, capped by the expiry memcached listed when the newest envelope
 * came from the peer that listed it, so a copy never lives longer than its source.</li>
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
 * most {@link #BATCH} keys and an eighth of it in listed bytes (each batch's values are
 * held about four times: read from the peers, and written). When the table is full, later
 * keys are not remembered and are merely copied again if listed again.
 *
 * <p>
 * Runs on the refill thread and waits for each batch; it never runs on a reactor or the
 * maintenance thread.
 */
final class RefillRun {

	/**
	 * Entries read and written per round: their reads go out at once, then their writes.
	 */
	static final int BATCH = 200;

	/**
	 * Keys per multi-get: small enough that one reply, which shares each node's
	 * connection with foreground requests, holds those up only briefly.
	 */
	static final int MULTI_GET = 50;

	/** Tries of a read or a write before the run gives up on it. */
	static final int ATTEMPTS = 4;

	/** The pause before the second try; it grows with each try. */
	static final long RETRY_PAUSE_MILLIS = 100;

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

	private final List<Listed> batch = new ArrayList<>(BATCH);

	private long batchBytes;

	private List<RefillNode> sources = List.of();

	private Map<NodeAddress, Integer> sourceIndex = Map.of();

	private long copiedBytes;

	RefillRun(RefillNode target, List<RefillNode> peers, Placement placement, KeyEncoder keys, ReplicaWriter writer,
			RefillPace pace, LeaseKeeper lease, RefillProgress progress, EngineMetrics metrics, LongSupplier wallClock,
			BooleanSupplier stopping, Duration listingTimeout, Duration batchTimeout, long heapLimit) {
		this.target = target;
		this.peers = peers;
		this.placement = placement;
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
		this.batchBytesLimit = Math.max(64 * 1024, heapLimit / 8);
	}

	/**
	 * Copy everything the node should hold.
	 * @return what happened
	 * @throws RefillException when the node or the lease was lost, or the run was stopped
	 */
	Outcome run() {
		long start = System.nanoTime();
		List<RefillNode> live = new ArrayList<>();
		Map<NodeAddress, Integer> index = new HashMap<>();
		for (RefillNode peer : this.peers) {
			if (peer.isDown()) {
				// What only this peer holds cannot be copied now: the run copies what the
				// others hold, but cannot complete.
				this.unlisted.add(peer.address());
				this.problems.add(peer.address() + " is down, so its keys were not listed (entries only it holds "
						+ "are missing; the node is refilled again once it is back)");
				continue;
			}
			index.put(peer.address(), live.size());
			live.add(peer);
		}
		this.sources = live;
		this.sourceIndex = index;
		for (int i = 0; i < live.size(); i++) {
			listAndCopy(i);
			stopIfAsked();
		}
		flush();
		return new Outcome(this.problems.isEmpty() && this.unlisted.isEmpty(), List.copyOf(this.problems),
				List.copyOf(this.unlisted), List.copyOf(this.crawlerDisabled), this.progress.copied,
				this.progress.examined, this.progress.total, this.copiedBytes, System.nanoTime() - start,
				this.seen.size(), this.seen.bytes(), !this.seen.isFull());
	}

	/** List one peer, twice, copying as the keys stream in. */
	private void listAndCopy(int source) {
		RefillNode peer = this.sources.get(source);
		String prefix = this.keys.prefix();
		NodeAddress self = this.target.address();
		MetadumpReader reader = new MetadumpReader(peer.address(), this.listingTimeout);
		long[] listed = new long[1];
		if (source == 0) {
			this.progress.estimateFrom(RefillEstimate.itemsOn(peer, this.batchTimeout));
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
				this.seen.add(key);
				this.progress.total++;
				enqueue(new Listed(key, dumped.expiresAtSeconds(), Math.max(0, dumped.size()), source, replicas));
				return true;
			});
			// What this listing gathered is copied before the next one starts, or before
			// the run gives up on the peer.
			flush();
			this.progress.estimateFrom(-1);
			if (problem != null) {
				this.problems.add(problem);
				this.unlisted.add(peer.address());
				return;
			}
		}
	}

	/**
	 * One listing of a peer. A crawler busy with another listing (another instance's
	 * refill, an operator's dump) is asked again after a pause, as is a listing cut off;
	 * keys copied before the cut are not copied again.
	 * @return what went wrong in the end, or {@code null}
	 */
	private @Nullable String listWithRetries(MetadumpReader reader, Predicate<DumpedKey> sink) {
		String problem = null;
		for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
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
			if (attempt < ATTEMPTS) {
				pause(attempt);
			}
		}
		return problem;
	}

	private void enqueue(Listed key) {
		this.batch.add(key);
		this.batchBytes += key.size();
		if (this.batch.size() >= BATCH || this.batchBytes >= this.batchBytesLimit) {
			flush();
		}
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
		copyBatch(this.batch);
		this.progress.examined += this.batch.size();
		this.progress.tick(this.pace);
		this.batch.clear();
		this.batchBytes = 0;
	}

	private void copyBatch(List<Listed> batch) {
		Map<String, Listed> byKey = new LinkedHashMap<>();
		// A listing may carry a key twice; the later line wins.
		batch.forEach((listed) -> byKey.put(listed.key(), listed));
		Map<String, Envelope> pending = new LinkedHashMap<>();
		long now = this.wallClock.getAsLong();
		readNewest(byKey).forEach((key, newest) -> {
			Envelope copy = capped(newest, byKey.get(key));
			if (copy.expiresAtMillis() == 0 || copy.expiresAtMillis() > now) {
				pending.put(key, copy);
			}
		});
		for (int attempt = 1; !pending.isEmpty(); attempt++) {
			Map<String, CompletableFuture<@Nullable Envelope>> writes = new LinkedHashMap<>();
			pending.forEach((key, copy) -> writes.put(key, this.writer.write(this.target, key,
					(current) -> decide(copy, current, this.writer.mergeFor(key)))));
			String failure = null;
			for (Map.Entry<String, CompletableFuture<@Nullable Envelope>> write : writes.entrySet()) {
				Envelope stored;
				try {
					stored = await(write.getValue());
				}
				catch (RefillException ex) {
					failure = ex.getMessage();
					continue;
				}
				pending.remove(write.getKey());
				if (stored != null) {
					int bytes = Envelope.HEADER_SIZE + stored.payload().length;
					this.progress.copied++;
					this.copiedBytes += bytes;
					this.progress.copiedBytes += bytes;
					this.metrics.refillCopied(this.target.address(), bytes);
				}
			}
			if (pending.isEmpty()) {
				return;
			}
			if (this.target.isDown()) {
				throw new RefillException(this.target.address() + " is marked down: " + failure);
			}
			if (attempt == ATTEMPTS) {
				this.problems.add("could not copy " + pending.size() + " entries to " + this.target.address() + " in "
						+ ATTEMPTS + " attempts: " + failure);
				return;
			}
			pause(attempt);
		}
	}

	/**
	 * What to store on a node that holds {@code current}, given the newest {@code copy}
	 * its peers hold. A key whose store registered a merge takes the merge of both: a
	 * merge is a join, so it keeps what only the node's own copy holds, such as a session
	 * listed in an index item that a sign-in wrote on the node before refill reached it.
	 * Any other key follows {@link #copies}.
	 * @param copy the newest envelope the peers hold
	 * @param current what the node holds, or {@code null}
	 * @param merge the key's own merge, or {@code null} when it has none
	 * @return the envelope to store, or {@code null} to leave the node as it is
	 */
	static @Nullable Envelope decide(Envelope copy, @Nullable Envelope current, @Nullable EntryMerge merge) {
		if (merge != null) {
			return merge.merge(current, copy);
		}
		return copies(copy, current) ? copy : null;
	}

	/**
	 * The refill rule for keys without a merge of their own: whether to store
	 * {@code copy} on a node that holds {@code current}. Where the node holds nothing,
	 * always. Where it holds something older, only when a delete is involved: a tombstone
	 * replaces an older value (a deleted key must not be readable again), and a value
	 * replaces an older tombstone (the key was written again after the delete). A value
	 * never replaces another value: the node's copy may carry {@code update} merges that
	 * the newer-versioned copy lacks, since concurrent updates merge into each replica's
	 * own copy; stale values are left to hints and read repair, as before refill.
	 * @param copy the newest envelope the peers hold
	 * @param current what the node holds, or {@code null}
	 * @return whether to store the copy
	 */
	static boolean copies(Envelope copy, @Nullable Envelope current) {
		if (current == null) {
			return true;
		}
		if (!copy.supersedes(current)) {
			return false;
		}
		return copy.isTombstone() || current.isTombstone();
	}

	/**
	 * Read a batch from every peer that is a replica of each key and not down, and keep
	 * the newest envelope of each; on a tie, the copy of the peer that listed the key, so
	 * that its listed lifetime applies ({@link #capped}). A peer that fails or times out
	 * is asked again (a loaded node misses a timeout now and then); a key no peer
	 * answered for makes the run incomplete.
	 */
	private Map<String, Newest> readNewest(Map<String, Listed> batch) {
		Map<Integer, List<String>> bySource = new LinkedHashMap<>();
		batch.forEach((key, listed) -> {
			for (NodeAddress replica : listed.replicas()) {
				Integer source = this.sourceIndex.get(replica);
				if (source != null) {
					bySource.computeIfAbsent(source, (k) -> new ArrayList<>()).add(key);
				}
			}
		});
		// Multi-gets of at most MULTI_GET keys, all sent at once: small replies hold
		// foreground requests on the same connection up only briefly, and several in
		// flight keep the refill from waiting a round trip per chunk.
		List<Read> remaining = new ArrayList<>();
		bySource.forEach((i, keys) -> {
			for (int from = 0; from < keys.size(); from += MULTI_GET) {
				remaining.add(new Read(i, keys.subList(from, Math.min(keys.size(), from + MULTI_GET))));
			}
		});
		Map<String, Newest> newest = new LinkedHashMap<>();
		Set<String> answered = new HashSet<>();
		for (int attempt = 1; !remaining.isEmpty(); attempt++) {
			Map<Read, CompletableFuture<Map<String, StoredItem>>> reads = new LinkedHashMap<>();
			remaining.forEach(
					(read) -> reads.put(read, this.sources.get(read.source()).connection().getsMulti(read.keys())));
			String failure = null;
			for (Map.Entry<Read, CompletableFuture<Map<String, StoredItem>>> read : reads.entrySet()) {
				Map<String, StoredItem> items;
				try {
					items = await(read.getValue());
				}
				catch (RefillException ex) {
					failure = ex.getMessage();
					continue;
				}
				remaining.remove(read.getKey());
				answered.addAll(read.getKey().keys());
				int sourceIndex = read.getKey().source();
				RefillNode source = this.sources.get(sourceIndex);
				items.forEach((key, item) -> {
					Envelope envelope = this.writer.read(source, key, item);
					Listed listed = batch.get(key);
					if (envelope == null || envelope.kind() == Envelope.Kind.ABSENT || listed == null) {
						return;
					}
					Newest known = newest.get(key);
					if (known == null || envelope.version() > known.envelope().version()
							|| (envelope.version() == known.envelope().version() && sourceIndex == listed.source())) {
						newest.put(key, new Newest(envelope, sourceIndex));
					}
				});
			}
			if (!remaining.isEmpty() && attempt == ATTEMPTS) {
				// A key another replica answered for is settled: a peer that died
				// meanwhile counts like a peer that is down.
				long unread = batch.keySet().stream().filter((key) -> !answered.contains(key)).count();
				if (unread > 0) {
					this.problems.add("could not read " + unread + " entries from any of their replicas in " + ATTEMPTS
							+ " attempts: " + failure);
				}
				break;
			}
			if (!remaining.isEmpty()) {
				pause(attempt);
			}
		}
		return newest;
	}

	/** The newest envelope of a key, and the peer it was read from. */
	private record Newest(Envelope envelope, int source) {

	}

	/** One multi-get of a batch: keys asked of one peer. */
	private record Read(int source, List<String> keys) {

	}

	private void pause(int attempt) {
		try {
			Thread.sleep(RETRY_PAUSE_MILLIS * attempt);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RefillException("stopped");
		}
	}

	/**
	 * The envelope with the shorter of its own lifetime and the one memcached listed for
	 * it, when it was read from the peer that listed it, so a copy never outlives its
	 * source. (Another peer's item may live longer; its lifetime was not listed here.)
	 */
	private static Envelope capped(Newest newest, @Nullable Listed listed) {
		Envelope envelope = newest.envelope();
		if (listed == null || newest.source() != listed.source() || listed.expiresAtSeconds() < 0) {
			return envelope;
		}
		long listedMillis = listed.expiresAtSeconds() * 1000;
		if (envelope.expiresAtMillis() == 0 || listedMillis < envelope.expiresAtMillis()) {
			return envelope.withExpiry(listedMillis);
		}
		return envelope;
	}

	private <T> T await(CompletableFuture<T> future) {
		try {
			return future.get(this.batchTimeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			throw new RefillException(String.valueOf(cause.getMessage()), cause);
		}
		catch (TimeoutException ex) {
			throw new RefillException("no answer in " + this.batchTimeout.toMillis() + " ms", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RefillException("stopped");
		}
	}

	private void stopIfAsked() {
		if (this.stopping.getAsBoolean() || Thread.currentThread().isInterrupted()) {
			throw new RefillException("stopped");
		}
	}

	/**
	 * A key the node should hold, as one peer listed it; kept only until its batch is
	 * copied.
	 *
	 * @param key the memcached key
	 * @param expiresAtSeconds the item's expiry as listed, -1 for none
	 * @param size the item's size as listed
	 * @param source the index of the peer that listed it
	 * @param replicas the key's replicas
	 */
	private record Listed(String key, long expiresAtSeconds, int size, int source, List<NodeAddress> replicas) {

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
