package io.memquorum.refill;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
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
 * and copy each entry with the repair rule.
 *
 * <h2>Steps</h2>
 * <ol>
 * <li>Every peer that is not marked down lists its keys ({@link MetadumpReader}), twice
 * (a listing is not a snapshot, see {@link #LISTINGS_PER_PEER}). Keys outside the key
 * prefix, memquorum's own items, and keys whose replicas do not include the node are
 * dropped; the rest are remembered with the peers that hold them (about 100 bytes of heap
 * per key while the run lasts).</li>
 * <li>In batches, at the paced rate, each key is read from the peers that listed it, the
 * newest envelope (value or tombstone) wins, and it is written to the node where the node
 * holds nothing, or an older version when a tombstone is involved ({@link #copies}); for
 * keys whose store registered a merge (sessions and their index items), the merge of the
 * copy and what the node holds ({@link #decide}). Writes are compare-and-swap through
 * {@link ReplicaWriter}, with the copy's remaining lifetime: the envelope's own expiry,
 * capped by the expiry memcached listed, so a copy never lives longer than its
 * source.</li>
 * <li>The lease is renewed as the run goes; a lost lease (the node restarted, or the
 * lease expired and another instance took over) stops the run.</li>
 * </ol>
 * The run is complete only when every peer not marked down listed its keys and every
 * entry was read and written. Then the caller writes the node's marker. A run that is not
 * complete leaves no marker and is retried at the next check; what it copied stays.
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

	/** Tries of a read, a write or a lease renewal before the run gives up on it. */
	static final int ATTEMPTS = 4;

	/** The pause before the second try; it grows with each try. */
	static final long RETRY_PAUSE_MILLIS = 100;

	/**
	 * How often each peer lists its keys. A listing is not a snapshot: memcached's
	 * crawler walks its LRU queues while items move between them, so an item that moves
	 * at the wrong moment can be missed. A second listing, read a moment later, catches
	 * what the first missed; listing is cheap next to copying.
	 */
	static final int LISTINGS_PER_PEER = 2;

	/** The most peers one run reads from: holders are remembered in one {@code long}. */
	static final int MAX_PEERS = 64;

	private final RefillNode target;

	private final List<RefillNode> peers;

	private final Placement placement;

	private final KeyEncoder keys;

	private final ReplicaWriter writer;

	private final RefillPace pace;

	private final RefillLease lease;

	private final RefillProgress progress;

	private final EngineMetrics metrics;

	private final LongSupplier wallClock;

	private final BooleanSupplier stopping;

	private final Duration listingTimeout;

	private final Duration batchTimeout;

	private final long renewEveryNanos;

	private final List<String> problems = new ArrayList<>();

	private final List<NodeAddress> crawlerDisabled = new ArrayList<>();

	private long copiedBytes;

	RefillRun(RefillNode target, List<RefillNode> peers, Placement placement, KeyEncoder keys, ReplicaWriter writer,
			RefillPace pace, RefillLease lease, RefillProgress progress, EngineMetrics metrics, LongSupplier wallClock,
			BooleanSupplier stopping, Duration listingTimeout, Duration batchTimeout, Duration renewEvery) {
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
		this.renewEveryNanos = renewEvery.toNanos();
	}

	/**
	 * Copy everything the node should hold.
	 * @return what happened
	 * @throws RefillException when the node or the lease was lost, or the run was stopped
	 */
	Outcome run() {
		long start = System.nanoTime();
		List<RefillNode> sources = new ArrayList<>();
		for (RefillNode peer : this.peers) {
			if (peer.isDown()) {
				continue;
			}
			if (sources.size() == MAX_PEERS) {
				this.problems.add("more than " + MAX_PEERS + " peers: " + peer.address() + " and later ones not read");
				continue;
			}
			sources.add(peer);
		}
		Map<String, Candidate> candidates = list(sources);
		this.progress.total = candidates.size();
		copy(candidates, sources);
		return new Outcome(this.problems.isEmpty(), List.copyOf(this.problems), List.copyOf(this.crawlerDisabled),
				this.progress.copied, this.progress.examined, this.progress.total, this.copiedBytes,
				System.nanoTime() - start);
	}

	private Map<String, Candidate> list(List<RefillNode> sources) {
		Map<String, Candidate> candidates = new LinkedHashMap<>();
		String prefix = this.keys.prefix();
		NodeAddress self = this.target.address();
		for (int i = 0; i < sources.size(); i++) {
			RefillNode peer = sources.get(i);
			long bit = 1L << i;
			MetadumpReader reader = new MetadumpReader(peer.address(), this.listingTimeout);
			for (int listing = 0; listing < LISTINGS_PER_PEER; listing++) {
				String problem = listWithRetries(reader, (dumped) -> {
					String key = dumped.key();
					if (key.startsWith(prefix) && !this.keys.isInternal(key)
							&& this.placement.replicasFor(key).contains(self)) {
						candidates.computeIfAbsent(key, (k) -> new Candidate(dumped)).add(dumped, bit);
					}
					return !this.stopping.getAsBoolean();
				});
				if (problem != null) {
					this.problems.add(problem);
					break;
				}
			}
			stopIfAsked();
		}
		return candidates;
	}

	/**
	 * One listing of a peer. A crawler busy with another listing (another instance's
	 * refill, an operator's dump) is asked again after a pause, as is a listing cut off.
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

	private void copy(Map<String, Candidate> candidates, List<RefillNode> sources) {
		long renewAt = System.nanoTime() + this.renewEveryNanos;
		Iterator<Map.Entry<String, Candidate>> entries = candidates.entrySet().iterator();
		List<Map.Entry<String, Candidate>> batch = new ArrayList<>(BATCH);
		while (entries.hasNext()) {
			batch.clear();
			long bytes = 0;
			while (entries.hasNext() && batch.size() < BATCH) {
				Map.Entry<String, Candidate> entry = entries.next();
				batch.add(entry);
				bytes += Math.max(0, entry.getValue().size);
			}
			stopIfAsked();
			try {
				this.pace.acquire(batch.size(), bytes);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new RefillException("stopped");
			}
			if (System.nanoTime() - renewAt >= 0) {
				renewLease();
				renewAt = System.nanoTime() + this.renewEveryNanos;
			}
			copyBatch(batch, sources);
			this.progress.examined += batch.size();
			this.progress.tick(this.pace);
		}
		renewLease();
	}

	private void renewLease() {
		boolean held;
		for (int attempt = 1;; attempt++) {
			try {
				held = this.lease.renew();
				break;
			}
			catch (RefillException ex) {
				// The lease outlives a few failed renewals; give up only when they
				// persist.
				if (attempt == ATTEMPTS) {
					throw ex;
				}
				pause(attempt);
			}
		}
		if (!held) {
			throw new RefillException("lost the refill lease of " + this.target.address()
					+ " (the node restarted, or the lease expired and another instance took over)");
		}
	}

	private void copyBatch(List<Map.Entry<String, Candidate>> batch, List<RefillNode> sources) {
		Map<String, Candidate> byKey = new LinkedHashMap<>();
		batch.forEach((entry) -> byKey.put(entry.getKey(), entry.getValue()));
		Map<String, Envelope> pending = new LinkedHashMap<>();
		long now = this.wallClock.getAsLong();
		readNewest(byKey, sources).forEach((key, envelope) -> {
			Envelope copy = capped(envelope, byKey.get(key));
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
	 * Read a batch from the peers that listed each key, and keep the newest envelope of
	 * each. A peer that fails or times out is asked again (a loaded node misses a timeout
	 * now and then); one that keeps failing makes the run incomplete.
	 */
	private Map<String, Envelope> readNewest(Map<String, Candidate> batch, List<RefillNode> sources) {
		Map<Integer, List<String>> bySource = new LinkedHashMap<>();
		batch.forEach((key, candidate) -> {
			for (int i = 0; i < sources.size(); i++) {
				if ((candidate.holders & (1L << i)) != 0) {
					bySource.computeIfAbsent(i, (k) -> new ArrayList<>()).add(key);
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
		Map<String, Envelope> newest = new LinkedHashMap<>();
		Set<String> answered = new HashSet<>();
		for (int attempt = 1; !remaining.isEmpty(); attempt++) {
			Map<Read, CompletableFuture<Map<String, StoredItem>>> reads = new LinkedHashMap<>();
			remaining
				.forEach((read) -> reads.put(read, sources.get(read.source()).connection().getsMulti(read.keys())));
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
				RefillNode source = sources.get(read.getKey().source());
				items.forEach((key, item) -> {
					Envelope envelope = this.writer.read(source, key, item);
					if (envelope == null || envelope.kind() == Envelope.Kind.ABSENT) {
						return;
					}
					Envelope known = newest.get(key);
					if (known == null || envelope.version() > known.version()) {
						newest.put(key, envelope);
					}
				});
			}
			if (!remaining.isEmpty() && attempt == ATTEMPTS) {
				// A key another holder answered for is settled: a peer that died
				// meanwhile
				// counts like a peer that is down.
				long unread = batch.keySet().stream().filter((key) -> !answered.contains(key)).count();
				if (unread > 0) {
					this.problems.add("could not read " + unread + " entries from any peer that listed them in "
							+ ATTEMPTS + " attempts: " + failure);
				}
				break;
			}
			if (!remaining.isEmpty()) {
				pause(attempt);
			}
		}
		return newest;
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
	 * it, so a copy never outlives its source.
	 */
	private static Envelope capped(Envelope envelope, @Nullable Candidate listed) {
		if (listed == null || listed.expiresAtSeconds < 0) {
			return envelope;
		}
		long listedMillis = listed.expiresAtSeconds * 1000;
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
	 * A key the node should hold, as its peers listed it.
	 */
	private static final class Candidate {

		long expiresAtSeconds;

		int size;

		long holders;

		Candidate(DumpedKey first) {
			this.expiresAtSeconds = first.expiresAtSeconds();
			this.size = first.size();
		}

		void add(DumpedKey dumped, long holder) {
			// The longest listed lifetime caps the copy: the newest write may sit on any
			// holder.
			if (this.expiresAtSeconds >= 0
					&& (dumped.isPermanent() || dumped.expiresAtSeconds() > this.expiresAtSeconds)) {
				this.expiresAtSeconds = dumped.expiresAtSeconds();
			}
			this.size = Math.max(this.size, dumped.size());
			this.holders |= holder;
		}

	}

	/**
	 * What one run did.
	 *
	 * @param complete whether every peer listed and every entry was copied
	 * @param problems what kept it from completing
	 * @param crawlerDisabled peers that cannot list keys because their crawler is off
	 * @param copied entries stored on the node
	 * @param examined entries looked at
	 * @param total entries the peers listed for the node
	 * @param bytes envelope bytes stored
	 * @param nanos how long it took
	 */
	record Outcome(boolean complete, List<String> problems, List<NodeAddress> crawlerDisabled, long copied,
			long examined, long total, long bytes, long nanos) {

	}

}
