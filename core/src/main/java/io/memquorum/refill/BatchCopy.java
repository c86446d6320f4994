package io.memquorum.refill;

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
import java.util.function.Function;
import java.util.function.LongSupplier;

import io.memquorum.engine.Envelope;
import io.memquorum.metrics.EngineMetrics;
import io.memquorum.node.NodeAddress;
import io.memquorum.node.StoredItem;
import org.jspecify.annotations.Nullable;

/**
 * Copies batches of listed keys onto the node a {@link RefillRun} fills: reads go out to
 * every replica of every key of the batch, and to the node itself, at once, as
 * multi-gets, then the writes go out at once, each starting from what the node was found
 * to hold, so a batch costs about two round trips whatever its size. The writes of one
 * batch are awaited only after the next batch was read ({@link #start}, {@link #finish}),
 * so the refill thread waits on one round trip per batch, not two.
 *
 * <p>
 * Used by the refill thread only.
 */
final class BatchCopy {

	/**
	 * Keys per multi-get: small enough that one reply, which shares each node's
	 * connection with foreground requests, holds those up only briefly.
	 */
	static final int MULTI_GET = 50;

	/** Tries of a read or a write before the run gives up on it. */
	static final int ATTEMPTS = 4;

	/** The pause before the second try; it grows with each try. */
	static final long RETRY_PAUSE_MILLIS = 100;

	private final RefillNode target;

	private final List<RefillNode> sources;

	private final Map<NodeAddress, Integer> sourceIndex;

	private final ReplicaWriter writer;

	private final RefillProgress progress;

	private final EngineMetrics metrics;

	private final LongSupplier wallClock;

	private final Duration batchTimeout;

	private final List<String> problems;

	private long copiedBytes;

	/**
	 * @param target the node filled
	 * @param sources the peers read from, in the order {@link Listed#source()} counts
	 * @param writer reads and writes replicas as the engine does
	 * @param progress where copies are counted
	 * @param metrics where copies are counted too
	 * @param wallClock epoch milliseconds
	 * @param batchTimeout how long one read or write may take
	 * @param problems the run's problems, added to
	 */
	BatchCopy(RefillNode target, List<RefillNode> sources, ReplicaWriter writer, RefillProgress progress,
			EngineMetrics metrics, LongSupplier wallClock, Duration batchTimeout, List<String> problems) {
		this.target = target;
		this.sources = sources;
		Map<NodeAddress, Integer> index = new LinkedHashMap<>();
		for (int i = 0; i < sources.size(); i++) {
			index.put(sources.get(i).address(), i);
		}
		this.sourceIndex = index;
		this.writer = writer;
		this.progress = progress;
		this.metrics = metrics;
		this.wallClock = wallClock;
		this.batchTimeout = batchTimeout;
		this.problems = problems;
	}

	/**
	 * @return envelope bytes stored so far
	 */
	long copiedBytes() {
		return this.copiedBytes;
	}

	/**
	 * Copy one batch and wait for it: {@link #finish} of {@link #write} of {@link #read}.
	 * @param batch the keys, as listed
	 * @throws RefillException when the node is marked down, or the run was stopped
	 */
	void copy(List<Listed> batch) {
		finish(write(read(batch)));
	}

	/**
	 * Send the reads of one batch and return without waiting for them: a multi-get of
	 * what the node holds of its keys, and multi-gets of every replica that is a peer, at
	 * most {@link #MULTI_GET} keys each. The caller may read the next batch before it
	 * hands this one to {@link #write}, so that the round trips of consecutive batches
	 * overlap.
	 * @param batch the keys, as listed; not kept
	 * @return the reads under way
	 */
	Reading read(List<Listed> batch) {
		Map<String, Listed> byKey = new LinkedHashMap<>();
		// A listing may carry a key twice; the later line wins.
		batch.forEach((listed) -> byKey.put(listed.key(), listed));
		// Sent before the peers are read, so both take the same round trip.
		List<TargetRead> targetReads = readTarget(new ArrayList<>(byKey.keySet()));
		Map<Integer, List<String>> bySource = new LinkedHashMap<>();
		byKey.forEach((key, listed) -> {
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
		Map<Read, CompletableFuture<Map<String, StoredItem>>> peerReads = new LinkedHashMap<>();
		bySource.forEach((i, keys) -> {
			for (int from = 0; from < keys.size(); from += MULTI_GET) {
				Read read = new Read(i, keys.subList(from, Math.min(keys.size(), from + MULTI_GET)));
				peerReads.put(read, send(read));
			}
		});
		return new Reading(byKey, targetReads, peerReads);
	}

	/**
	 * Wait for the reads of a batch, keep the newest copy of each key, and send its write
	 * to the node by {@link CopyRule#decide}, starting from what the node was found to
	 * hold (the compare-and-swap, or add where it held nothing, fails if it changed
	 * since, and the decision is then made again on what it holds). Returns once the
	 * writes are sent, so that the next batch can be read while they are under way.
	 * @param reading what {@link #read} sent
	 * @return the writes sent, for {@link #finish}
	 * @throws RefillException when the run was stopped
	 */
	Pending write(Reading reading) {
		Map<String, Listed> byKey = reading.byKey();
		Map<String, Envelope> copies = new LinkedHashMap<>();
		long now = this.wallClock.getAsLong();
		Map<String, Newest> newestCopies = readNewest(byKey, reading.peerReads());
		// The replicas' items were decoded into copies: let them go before the writes
		// encode those copies again.
		reading.peerReads().clear();
		newestCopies.forEach((key, newest) -> {
			Envelope copy = capped(newest, byKey.get(key));
			if (copy.expiresAtMillis() == 0 || copy.expiresAtMillis() > now) {
				copies.put(key, copy);
			}
		});
		Map<String, StoredItem> held = new HashMap<>();
		Set<String> known = new HashSet<>();
		for (TargetRead read : reading.targetReads()) {
			try {
				held.putAll(await(read.items()));
				known.addAll(read.keys());
			}
			catch (RefillException ex) {
				if ("stopped".equals(ex.getMessage())) {
					throw ex;
				}
				// Not known: the write reads the node itself.
			}
		}
		Map<String, CompletableFuture<@Nullable Envelope>> writes = new LinkedHashMap<>();
		copies.forEach((key, copy) -> {
			Function<@Nullable Envelope, @Nullable Envelope> decide = decision(key, copy);
			writes.put(key, known.contains(key) ? this.writer.writeFrom(this.target, key, decide, held.get(key))
					: this.writer.write(this.target, key, decide));
		});
		return new Pending(copies, writes);
	}

	/**
	 * The reads of a batch that {@link #read} sent, held until {@link #write}.
	 *
	 * @param byKey the batch's keys, as listed
	 * @param targetReads the multi-gets of the node filled
	 * @param peerReads the multi-gets of its peers
	 */
	record Reading(Map<String, Listed> byKey, List<TargetRead> targetReads,
			Map<Read, CompletableFuture<Map<String, StoredItem>>> peerReads) {

	}

	/**
	 * Wait for the writes of a batch; those that failed are tried again, reading the node
	 * afresh, and what could not be written in {@link #ATTEMPTS} tries is added to the
	 * run's problems.
	 * @param batch what {@link #start} sent
	 * @throws RefillException when the node is marked down, or the run was stopped
	 */
	void finish(Pending batch) {
		Map<String, Envelope> pending = new LinkedHashMap<>(batch.copies());
		Map<String, CompletableFuture<@Nullable Envelope>> writes = batch.writes();
		for (int attempt = 1; !pending.isEmpty(); attempt++) {
			if (attempt > 1) {
				writes = new LinkedHashMap<>();
				for (Map.Entry<String, Envelope> copy : pending.entrySet()) {
					writes.put(copy.getKey(),
							this.writer.write(this.target, copy.getKey(), decision(copy.getKey(), copy.getValue())));
				}
			}
			String failure = null;
			for (Map.Entry<String, CompletableFuture<@Nullable Envelope>> write : writes.entrySet()) {
				Envelope stored;
				try {
					stored = await(write.getValue());
				}
				catch (RefillException ex) {
					if ("stopped".equals(ex.getMessage())) {
						throw ex;
					}
					failure = ex.getMessage();
					continue;
				}
				pending.remove(write.getKey());
				if (stored != null) {
					int bytes = Envelope.HEADER_SIZE + stored.payload().length;
					this.progress.copied++;
					this.progress.copiedBytes += bytes;
					this.copiedBytes += bytes;
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

	private Function<@Nullable Envelope, @Nullable Envelope> decision(String key, Envelope copy) {
		return (current) -> CopyRule.decide(copy, current, this.writer.mergeFor(key));
	}

	/**
	 * Multi-gets of what the node holds of a batch's keys, at most {@link #MULTI_GET}
	 * each, all sent at once; not awaited.
	 */
	private List<TargetRead> readTarget(List<String> keys) {
		List<TargetRead> reads = new ArrayList<>();
		if (this.target.isDown()) {
			return reads;
		}
		for (int from = 0; from < keys.size(); from += MULTI_GET) {
			List<String> chunk = keys.subList(from, Math.min(keys.size(), from + MULTI_GET));
			reads.add(new TargetRead(chunk, this.target.connection().getsMulti(chunk)));
		}
		return reads;
	}

	/** One multi-get of the node being filled. */
	record TargetRead(List<String> keys, CompletableFuture<Map<String, StoredItem>> items) {

	}

	/**
	 * The writes of a batch {@link #start} sent, and the copies they store: held until
	 * {@link #finish}.
	 *
	 * @param copies the envelope to copy, by key
	 * @param writes the write of each
	 */
	record Pending(Map<String, Envelope> copies, Map<String, CompletableFuture<@Nullable Envelope>> writes) {

	}

	/**
	 * Wait for the reads of a batch from every peer that is a replica of each key and not
	 * down, and keep the newest envelope of each; on a tie, the copy of the peer that
	 * listed the key, so that its listed lifetime applies ({@link #capped}). A peer that
	 * fails or times out is asked again (a loaded node misses a timeout now and then); a
	 * key no peer answered for makes the run incomplete.
	 * @param batch the batch's keys, as listed
	 * @param firstReads the reads {@link #read} sent
	 */
	private Map<String, Newest> readNewest(Map<String, Listed> batch,
			Map<Read, CompletableFuture<Map<String, StoredItem>>> firstReads) {
		List<Read> remaining = new ArrayList<>(firstReads.keySet());
		Map<String, Newest> newest = new LinkedHashMap<>();
		Set<String> answered = new HashSet<>();
		Map<Read, CompletableFuture<Map<String, StoredItem>>> reads = firstReads;
		for (int attempt = 1; !remaining.isEmpty(); attempt++) {
			if (attempt > 1) {
				reads = new LinkedHashMap<>();
				for (Read read : remaining) {
					reads.put(read, send(read));
				}
			}
			String failure = null;
			for (Map.Entry<Read, CompletableFuture<Map<String, StoredItem>>> read : reads.entrySet()) {
				Map<String, StoredItem> items;
				try {
					items = await(read.getValue());
				}
				catch (RefillException ex) {
					if ("stopped".equals(ex.getMessage())) {
						throw ex;
					}
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

	private CompletableFuture<Map<String, StoredItem>> send(Read read) {
		return this.sources.get(read.source()).connection().getsMulti(read.keys());
	}

	/** The newest envelope of a key, and the peer it was read from. */
	private record Newest(Envelope envelope, int source) {

	}

	/** One multi-get of a batch: keys asked of one peer. */
	record Read(int source, List<String> keys) {

	}

	/** Wait before the next try; it grows with each try. */
	static void pause(int attempt) {
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
	record Listed(String key, long expiresAtSeconds, int size, int source, List<NodeAddress> replicas) {

	}

}
