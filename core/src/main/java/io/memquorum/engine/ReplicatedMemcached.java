package io.memquorum.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

import io.memquorum.metrics.EngineMetrics;
import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeConnection;
import io.memquorum.node.NodeConnection.StoredValue;
import io.memquorum.node.StoredItem;
import io.memquorum.placement.Placement;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A set of memcached nodes used as replicas: quorum writes, failover reads, tombstones,
 * hints and repair. Thread-safe; one instance per application.
 *
 * <h2>Consistency</h2>
 * <ul>
 * <li><b>Placement.</b> Each key has R replicas ({@link Placement}): every node by
 * default, or R nodes from a consistent-hash ring. Placement depends only on the
 * configured node list; a node that is down keeps its keys, which simply miss on it, and
 * nothing is remapped.</li>
 * <li><b>Versions.</b> Every value is stored in an {@link Envelope} carrying a version
 * ({@link VersionClock}: wall-clock milliseconds plus a counter) and its expiry time.
 * Newer versions win wherever the engine compares (MAJORITY reads, repair, hint replay).
 * Clocks of different application instances are assumed to agree to within the time
 * between two writes of one key.</li>
 * <li><b>Writes</b> ({@code set}, {@code add}, {@code replace}, {@code touch},
 * {@code delete}, {@code update}) go to all R replicas at once and complete when the
 * {@link WriteQuorum} has acknowledged. The remaining replicas finish in the background
 * and are never cancelled. A plain {@code set} overwrites blindly, so two concurrent sets
 * of one key can leave replicas with different versions; a MAJORITY read returns the
 * newer and repairs the others.</li>
 * <li><b>add</b> succeeds when a write quorum of replicas held nothing live for the key
 * (no entry, an expired or unreadable one, or a tombstone) and stored the value. A
 * replica that lost its copy (restarted empty) accepts the add although others hold the
 * key, which is why the quorum decides, not any single replica. When the add loses, the
 * replicas where it did store are rolled back to an absent marker, so that the winner's
 * value is the only one left.</li>
 * <li><b>replace</b> and <b>touch</b> act on the replicas that hold a live value, through
 * compare-and-swap, and succeed when a quorum did. {@code touch} rewrites the envelope so
 * that repairs keep the new lifetime.</li>
 * <li><b>update</b> merges a change into each replica's own copy with compare-and-swap
 * and retries on contention, so that concurrent updates of different parts of one value
 * all survive. It never writes over a tombstone: it returns {@code false} when the key
 * was deleted.</li>
 * <li><b>Reads, FIRST_HIT</b> (default): replicas are asked one after another in a fresh
 * uniform shuffle; a miss, an error, a timeout or unreadable bytes move to the next. The
 * first value or tombstone answers. A tombstone reads as a miss and stops the walk, so an
 * older copy behind it cannot come back. Replicas that missed before the hit are
 * repaired.</li>
 * <li><b>Reads, MAJORITY</b>: every readable replica is asked at once; after a majority
 * of answers the newest version wins, and replicas that answered with an older version or
 * nothing are repaired.</li>
 * <li><b>Repair</b> writes only where the replica holds nothing or an older version (add,
 * or compare-and-swap against what it holds), with the entry's remaining lifetime, so it
 * never overwrites something newer and never extends a lifetime.</li>
 * <li><b>Deletes</b> write a tombstone (kept {@code tombstoneTtl}) through the quorum, so
 * a replica that missed a delete cannot serve the old value to a MAJORITY read, and a
 * FIRST_HIT read that meets the tombstone first stops there.</li>
 * </ul>
 * <h2>Failure</h2>
 * <ul>
 * <li>A replica that misses a successful write or delete (it failed, timed out or is
 * down) gets a <b>hint</b>: the newest envelope per key, kept in memory up to
 * {@code hintCapacity} per node. A node with pending hints serves no reads.</li>
 * <li>After {@code failureThreshold} consecutive timeouts or connection failures a node
 * is {@link NodeState#DOWN}: calls to it fail at once, reads skip it without a round
 * trip, and a background probe with exponential backoff watches for its return.</li>
 * <li>A node that answers again, or that is found restarted (its process id or start time
 * changed), is {@link NodeState#RECOVERING}: it takes writes, serves no reads, and has
 * its hints replayed. If hints overflowed and the node did not restart, it may hold
 * values that forgotten deletes should have removed, so it is flushed first. Then it is
 * {@link NodeState#UP}.</li>
 * <li>A failed write raises {@link QuorumNotReachedException}. It may have reached some
 * replicas; it is neither rolled back nor replayed. A read that no replica could answer
 * raises it too; a read that some replica answered with a miss returns a miss.</li>
 * <li>Bytes that are not a readable envelope count as a miss (and are counted), never as
 * an error.</li>
 * </ul>
 * <h2>What is not guaranteed</h2>
 * <ul>
 * <li>FIRST_HIT is not linearizable: a client that does not see a partition can read a
 * stale replica, for example one that missed a write that this client did not send.</li>
 * <li>Hints live in this process's memory. A process that dies with hints pending loses
 * them; tombstones still protect MAJORITY reads until they expire.</li>
 * <li>memcached evicts under memory pressure; an evicted tombstone no longer shadows a
 * replica that missed the delete.</li>
 * </ul>
 * <h2>Concurrency</h2> Node commands are pipelined over one NIO connection per node and
 * complete futures on xmemcached's reactor threads; no thread waits per replica. The
 * synchronous methods wait once per operation. One maintenance thread probes, replays
 * hints and checks for restarts; each node has at most one such task in flight
 * ({@code Node.busy}).
 */
public final class ReplicatedMemcached implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ReplicatedMemcached.class);

	private static final int MAX_CAS_ATTEMPTS = 16;

	/** The first bound of the random pause between compare-and-swap attempts; doubles. */
	private static final long CAS_BACKOFF_MICROS = 200;

	private static final int HINT_BATCH = 64;

	/** memcached reads expiries above 30 days as absolute Unix times. */
	private static final long MAX_RELATIVE_EXPIRY_SECONDS = 60L * 60 * 24 * 30;

	/** memcached's per-item overhead beyond key and value, rounded up. */
	private static final int ITEM_OVERHEAD = 64;

	private final Placement placement;

	private final Map<NodeAddress, Node> nodes;

	private final KeyEncoder keyEncoder;

	private final WriteQuorum writeQuorum;

	private final ReadConsistency readConsistency;

	private final int maxItemSize;

	private final Duration tombstoneTtl;

	private final Duration probeInterval;

	private final Duration maxProbeInterval;

	private final Duration restartCheckInterval;

	private final EngineMetrics metrics;

	private final LongSupplier wallClock = System::currentTimeMillis;

	private final VersionClock versions = new VersionClock(this.wallClock);

	private final ScheduledExecutorService maintenance;

	/**
	 * Replicas still applying a compare-and-swap write that already reached its quorum,
	 * by memcached key. A plain set or delete needs no entry: it is queued on the node's
	 * connection ahead of any later read, and memcached answers one connection in order.
	 * A conditional write takes two round trips, so a read sent meanwhile could see the
	 * old value; FIRST_HIT reads ask these replicas last. Each replica carries the number
	 * of such writes it is still applying: concurrent writes of one key share the entry,
	 * and one finishing must not clear a replica that another is still writing.
	 */
	private final ConcurrentHashMap<String, Map<Node, Integer>> laggards = new ConcurrentHashMap<>();

	private ReplicatedMemcached(Builder builder) {
		if (builder.servers.isEmpty()) {
			throw new IllegalArgumentException("At least one memcached node is required");
		}
		List<NodeAddress> addresses = builder.servers.stream().map(NodeAddress::parse).toList();
		int replicationFactor = (builder.replicationFactor != null) ? builder.replicationFactor : addresses.size();
		this.placement = Placement.of(addresses, replicationFactor);
		this.keyEncoder = new KeyEncoder(builder.keyPrefix);
		this.writeQuorum = builder.writeQuorum;
		this.readConsistency = builder.readConsistency;
		this.maxItemSize = builder.maxItemSize;
		this.tombstoneTtl = builder.tombstoneTtl;
		this.probeInterval = builder.probeInterval;
		this.maxProbeInterval = builder.maxProbeInterval;
		this.restartCheckInterval = builder.restartCheckInterval;
		this.metrics = builder.metrics;
		// One thread for probes, hint replay and command timeouts: all of it only starts
		// asynchronous work, so none of it waits on another.
		this.maintenance = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "memquorum-maintenance");
			thread.setDaemon(true);
			return thread;
		});
		Map<NodeAddress, Node> nodes = new LinkedHashMap<>();
		try {
			for (NodeAddress address : addresses) {
				NodeConnection connection = new NodeConnection(address, builder.connectTimeout,
						builder.operationTimeout, builder.reconnectInterval, this.maintenance);
				nodes.put(address, new Node(address, connection, builder.hintCapacity, builder.failureThreshold));
			}
		}
		catch (IOException ex) {
			nodes.values().forEach((node) -> node.connection.close());
			this.maintenance.shutdownNow();
			throw new UncheckedIOException("Could not start the memcached connections", ex);
		}
		this.nodes = Collections.unmodifiableMap(nodes);
		for (Node node : nodes.values()) {
			this.metrics.registerNode(node.address, node::state, (address) -> node.hints.size());
		}
		long tick = Math.max(10, Math.min(builder.probeInterval.toMillis(), 100));
		this.maintenance.scheduleWithFixedDelay(this::maintain, tick, tick, TimeUnit.MILLISECONDS);
	}

	public static Builder builder() {
		return new Builder();
	}

	// ---- reads

	/**
	 * Read a value.
	 * @param key any non-empty string
	 * @return the value, or {@code null} on a miss or after a delete
	 * @throws QuorumNotReachedException when no replica (MAJORITY: too few) could answer
	 */
	public byte @Nullable [] get(String key) {
		return await(getAsync(key));
	}

	public CompletableFuture<byte @Nullable []> getAsync(String key) {
		return getAsync(key, this.readConsistency);
	}

	/**
	 * Read a value with a read consistency chosen for this call, for example a MAJORITY
	 * read of a key that guards others (a cache generation) on an engine whose reads are
	 * FIRST_HIT.
	 * @param key any non-empty string
	 * @param consistency how to choose among the replicas for this read
	 * @return the value, or {@code null} on a miss or after a delete
	 */
	public byte @Nullable [] get(String key, ReadConsistency consistency) {
		return await(getAsync(key, consistency));
	}

	public CompletableFuture<byte @Nullable []> getAsync(String key, ReadConsistency consistency) {
		String encoded = this.keyEncoder.encode(key);
		return read(key, encoded, consistency).thenApply(ReplicatedMemcached::payloadOf);
	}

	/**
	 * Read many values, batching keys per node: each round asks every node once for the
	 * keys whose walk reached it, and the next round asks the next replicas only for what
	 * is still missing.
	 * @param keys the keys
	 * @return the values found, by key
	 * @throws QuorumNotReachedException when some key had no replica able to answer
	 */
	public Map<String, byte[]> getAll(Collection<String> keys) {
		return await(getAllAsync(keys));
	}

	public CompletableFuture<Map<String, byte[]>> getAllAsync(Collection<String> keys) {
		Map<String, String> byEncoded = new LinkedHashMap<>();
		for (String key : keys) {
			byEncoded.put(this.keyEncoder.encode(key), key);
		}
		CompletableFuture<Map<String, Envelope>> found;
		if (this.readConsistency == ReadConsistency.MAJORITY) {
			found = majorityReadAll(byEncoded);
		}
		else {
			found = new MultiWalk(byEncoded).start();
		}
		return found.thenApply((envelopes) -> {
			Map<String, byte[]> values = new LinkedHashMap<>();
			envelopes.forEach((encoded, envelope) -> {
				if (envelope.isValue()) {
					values.put(byEncoded.get(encoded), envelope.payload());
				}
			});
			return values;
		});
	}

	private CompletableFuture<@Nullable Envelope> read(String key, String encoded, ReadConsistency consistency) {
		if (consistency == ReadConsistency.MAJORITY) {
			return new MajorityRead(key, encoded).start();
		}
		return new Walk(key, encoded).start();
	}

	private CompletableFuture<Map<String, Envelope>> majorityReadAll(Map<String, String> byEncoded) {
		Map<String, CompletableFuture<@Nullable Envelope>> reads = new LinkedHashMap<>();
		byEncoded.forEach((encoded, key) -> reads.put(encoded, new MajorityRead(key, encoded).start()));
		return CompletableFuture.allOf(reads.values().toArray(CompletableFuture[]::new)).thenApply((ignored) -> {
			Map<String, Envelope> found = new LinkedHashMap<>();
			reads.forEach((encoded, read) -> {
				Envelope envelope = read.join();
				if (envelope != null) {
					found.put(encoded, envelope);
				}
			});
			return found;
		});
	}

	private static byte @Nullable [] payloadOf(@Nullable Envelope envelope) {
		return (envelope != null && envelope.isValue()) ? envelope.payload() : null;
	}

	// ---- writes

	/**
	 * Store a value on every replica.
	 * @param key the key
	 * @param value the value
	 * @param ttl how long it lives; {@link Duration#ZERO} for no expiry
	 * @throws QuorumNotReachedException when the write quorum did not acknowledge
	 * @throws ValueTooLargeException before anything is written, when the value cannot
	 * fit
	 */
	public void set(String key, byte[] value, Duration ttl) {
		await(setAsync(key, value, ttl));
	}

	public CompletableFuture<Void> setAsync(String key, byte[] value, Duration ttl) {
		String encoded = this.keyEncoder.encode(key);
		Envelope envelope = Envelope.value(this.versions.next(), expiresAt(ttl), value);
		StoredValue stored = storable(key, encoded, envelope);
		return write("set", key, encoded, (node) -> node.connection.set(encoded, expiry(envelope), stored)
			.thenApply((ok) -> storedOrFail(node, ok, envelope))).thenAccept(this::requireQuorum);
	}

	/**
	 * Store a value only where the key is absent, deleted or expired; see the class
	 * documentation for how replicas that disagree are decided.
	 * @param key the key
	 * @param value the value
	 * @param ttl how long it lives; {@link Duration#ZERO} for no expiry
	 * @return whether the value was stored on a write quorum
	 */
	public boolean add(String key, byte[] value, Duration ttl) {
		return await(addAsync(key, value, ttl));
	}

	public CompletableFuture<Boolean> addAsync(String key, byte[] value, Duration ttl) {
		String encoded = this.keyEncoder.encode(key);
		Envelope envelope = Envelope.value(this.versions.next(), expiresAt(ttl), value);
		storable(key, encoded, envelope);
		return write("add", key, encoded,
				(node) -> conditionalWrite(node, encoded,
						(current) -> (current == null || current.isTombstone()) ? envelope : null))
			.thenApply((outcome) -> {
				if (!outcome.succeeded()) {
					rollBack(encoded, envelope, outcome.storedOn());
				}
				return outcome.succeeded();
			});
	}

	/**
	 * Replace a value only where a live one exists.
	 * @param key the key
	 * @param value the new value
	 * @param ttl how long it lives; {@link Duration#ZERO} for no expiry
	 * @return whether a write quorum replaced it
	 */
	public boolean replace(String key, byte[] value, Duration ttl) {
		String encoded = this.keyEncoder.encode(key);
		Envelope envelope = Envelope.value(this.versions.next(), expiresAt(ttl), value);
		storable(key, encoded, envelope);
		return await(write("replace", key, encoded,
				(node) -> conditionalWrite(node, encoded, (current) -> isLive(current) ? envelope : null))
			.thenApply(WriteOutcome::succeeded));
	}

	/**
	 * Give a live value a new lifetime.
	 * @param key the key
	 * @param ttl the new lifetime; {@link Duration#ZERO} for no expiry
	 * @return whether a write quorum held the value and extended it
	 */
	public boolean touch(String key, Duration ttl) {
		return await(touchAsync(key, ttl));
	}

	public CompletableFuture<Boolean> touchAsync(String key, Duration ttl) {
		String encoded = this.keyEncoder.encode(key);
		long expiresAt = expiresAt(ttl);
		return write("touch", key, encoded,
				(node) -> conditionalWrite(node, encoded,
						(current) -> isLive(current) ? current.withExpiry(expiresAt) : null))
			.thenApply(WriteOutcome::succeeded);
	}

	/**
	 * Merge a change into every replica's copy of a value with compare-and-swap. The
	 * merge sees the replica's current payload ({@code null} when it holds none) and
	 * returns the new one, or {@code null} to leave the replica as it is. It may run
	 * several times per replica, on reactor threads, and must be fast and free of side
	 * effects.
	 * @param key the key
	 * @param merge computes the new payload from a replica's current one
	 * @param ttl the lifetime of the merged value; {@link Duration#ZERO} for no expiry
	 * @return {@code true} when a write quorum stored a merged value, {@code false} when
	 * the key is deleted on a quorum or the merge declined
	 */
	public boolean update(String key, UnaryOperator<byte @Nullable []> merge, Duration ttl) {
		return await(updateAsync(key, merge, ttl));
	}

	public CompletableFuture<Boolean> updateAsync(String key, UnaryOperator<byte @Nullable []> merge, Duration ttl) {
		String encoded = this.keyEncoder.encode(key);
		long version = this.versions.next();
		long expiresAt = expiresAt(ttl);
		return write("update", key, encoded, (node) -> conditionalWrite(node, encoded, (current) -> {
			if (current != null && current.isTombstone()) {
				return null;
			}
			byte[] merged = merge.apply((current != null) ? current.payload() : null);
			if (merged == null) {
				return null;
			}
			Envelope envelope = Envelope.value(version, expiresAt, merged);
			storable(key, encoded, envelope);
			return envelope;
		})).thenApply(WriteOutcome::succeeded);
	}

	/**
	 * Delete a key by writing a tombstone through the write quorum.
	 * @param key the key
	 * @throws QuorumNotReachedException when the write quorum did not acknowledge
	 */
	public void delete(String key) {
		await(deleteAsync(key));
	}

	public CompletableFuture<Void> deleteAsync(String key) {
		String encoded = this.keyEncoder.encode(key);
		Envelope tombstone = Envelope.tombstone(this.versions.next(), expiresAt(this.tombstoneTtl));
		StoredValue stored = new StoredValue(Envelope.FLAGS, tombstone.encode());
		return write("delete", key, encoded, (node) -> node.connection.set(encoded, expiry(tombstone), stored)
			.thenApply((ok) -> storedOrFail(node, ok, tombstone))).thenAccept(this::requireQuorum);
	}

	private static boolean isLive(@Nullable Envelope envelope) {
		return envelope != null && envelope.isValue();
	}

	private Envelope storedOrFail(Node node, boolean stored, Envelope envelope) {
		if (!stored) {
			throw new IllegalStateException(node.address + " did not store the value");
		}
		return envelope;
	}

	private void requireQuorum(WriteOutcome outcome) {
		if (!outcome.succeeded()) {
			throw new IllegalStateException("A plain write cannot be declined");
		}
	}

	private StoredValue storable(String key, String encoded, Envelope envelope) {
		byte[] bytes = envelope.encode();
		int size = bytes.length + encoded.length() + ITEM_OVERHEAD;
		if (size > this.maxItemSize) {
			throw new ValueTooLargeException(key, size, this.maxItemSize);
		}
		return new StoredValue(Envelope.FLAGS, bytes);
	}

	private long expiresAt(Duration ttl) {
		if (ttl.isNegative()) {
			throw new IllegalArgumentException("TTL must not be negative, got " + ttl);
		}
		return ttl.isZero() ? 0 : this.wallClock.getAsLong() + ttl.toMillis();
	}

	/**
	 * The memcached expiry for an envelope: seconds from now up to 30 days, an absolute
	 * Unix time beyond, as memcached requires.
	 * @param envelope the envelope
	 * @return the expiry, 0 for none, or -1 when it has already expired
	 */
	private int expiry(Envelope envelope) {
		if (envelope.expiresAtMillis() == 0) {
			return 0;
		}
		long remainingMillis = envelope.expiresAtMillis() - this.wallClock.getAsLong();
		if (remainingMillis <= 0) {
			return -1;
		}
		long seconds = (remainingMillis + 999) / 1000;
		if (seconds > MAX_RELATIVE_EXPIRY_SECONDS) {
			return (int) ((envelope.expiresAtMillis() + 999) / 1000);
		}
		return (int) seconds;
	}

	// ---- the write path

	/**
	 * Send one write to every replica of a key and complete once the write quorum
	 * decided.
	 * @param operation the operation's name, for messages and metrics
	 * @param key the application key, for messages
	 * @param encoded the memcached key
	 * @param perReplica the write on one replica: the envelope stored, or {@code null}
	 * when the replica declined
	 * @return the outcome; exceptionally {@link QuorumNotReachedException}
	 */
	private CompletableFuture<WriteOutcome> write(String operation, String key, String encoded,
			Function<Node, CompletableFuture<@Nullable Envelope>> perReplica) {
		List<NodeAddress> replicas = this.placement.replicasFor(encoded);
		boolean conditional = !operation.equals("set") && !operation.equals("delete");
		QuorumWrite quorum = new QuorumWrite(operation, key, encoded, replicas.size(),
				this.writeQuorum.required(replicas.size()), conditional);
		for (NodeAddress address : replicas) {
			Node node = this.nodes.get(address);
			if (!node.isWritable()) {
				quorum.failed(node, node.address + " is marked down", false);
				continue;
			}
			CompletableFuture<@Nullable Envelope> sent;
			try {
				sent = timed(node, operation, perReplica.apply(node));
			}
			catch (RuntimeException ex) {
				sent = CompletableFuture.failedFuture(ex);
			}
			sent.whenComplete((stored, failure) -> {
				if (failure != null) {
					Throwable cause = unwrap(failure);
					recordFailure(node, cause);
					quorum.failed(node, cause.getMessage(), true);
				}
				else {
					node.recordSuccess();
					quorum.answered(node, stored);
				}
			});
		}
		return quorum.result;
	}

	/**
	 * Collects the replies of one write. Decides as soon as the quorum has stored, or
	 * once all replicas answered; queues hints for the replicas that missed a write that
	 * succeeded.
	 */
	private final class QuorumWrite {

		private final String operation;

		private final String key;

		private final String encoded;

		private final int replicas;

		private final int required;

		private final Map<NodeAddress, String> failures = new LinkedHashMap<>();

		private final List<Node> missed = new ArrayList<>();

		private final List<Node> storedOn = new ArrayList<>();

		private final List<Node> settledNodes = new ArrayList<>();

		private final boolean conditional;

		private @Nullable Set<Node> lagging;

		private int declined;

		private @Nullable Envelope stored;

		final CompletableFuture<WriteOutcome> result = new CompletableFuture<>();

		QuorumWrite(String operation, String key, String encoded, int replicas, int required, boolean conditional) {
			this.conditional = conditional;
			this.operation = operation;
			this.key = key;
			this.encoded = encoded;
			this.replicas = replicas;
			this.required = required;
		}

		synchronized void answered(Node node, @Nullable Envelope envelope) {
			this.settledNodes.add(node);
			if (envelope != null) {
				this.storedOn.add(node);
				this.stored = envelope;
			}
			else {
				this.declined++;
			}
			settle();
		}

		synchronized void failed(Node node, @Nullable String reason, boolean reached) {
			this.settledNodes.add(node);
			this.failures.put(node.address, (reason != null) ? reason : "failed");
			this.missed.add(node);
			settle();
		}

		private void settle() {
			int acknowledged = this.storedOn.size();
			int settled = acknowledged + this.declined + this.failures.size();
			if (!this.result.isDone()) {
				if (acknowledged >= this.required) {
					if (this.conditional && settled < this.replicas) {
						markLagging();
					}
					this.result.complete(new WriteOutcome(true, List.copyOf(this.storedOn)));
				}
				else if (this.failures.size() > this.replicas - this.required || settled == this.replicas) {
					if (acknowledged + this.declined >= this.required) {
						this.result.complete(new WriteOutcome(false, List.copyOf(this.storedOn)));
					}
					else {
						ReplicatedMemcached.this.metrics.quorumFailure(this.operation);
						this.result.completeExceptionally(new QuorumNotReachedException(this.operation, this.key,
								this.required, this.replicas, acknowledged, this.failures));
					}
				}
			}
			if (this.lagging != null) {
				Set<Node> stillLagging = this.lagging;
				for (Node node : this.settledNodes) {
					if (stillLagging.remove(node)) {
						caughtUp(node);
					}
				}
				if (stillLagging.isEmpty()) {
					this.lagging = null;
				}
			}
			if (settled == this.replicas && this.stored != null && acknowledged >= this.required) {
				for (Node node : this.missed) {
					hint(node, this.encoded, this.stored);
				}
			}
		}

		private void markLagging() {
			Set<Node> unsettled = new HashSet<>();
			for (NodeAddress address : ReplicatedMemcached.this.placement.replicasFor(this.encoded)) {
				Node node = ReplicatedMemcached.this.nodes.get(address);
				if (!this.settledNodes.contains(node)) {
					unsettled.add(node);
				}
			}
			ReplicatedMemcached.this.laggards.compute(this.encoded, (key, counts) -> {
				Map<Node, Integer> updated = (counts != null) ? counts : new ConcurrentHashMap<>();
				unsettled.forEach((node) -> updated.merge(node, 1, Integer::sum));
				return updated;
			});
			this.lagging = unsettled;
		}

		private void caughtUp(Node node) {
			ReplicatedMemcached.this.laggards.computeIfPresent(this.encoded, (key, counts) -> {
				counts.computeIfPresent(node, (ignored, count) -> (count > 1) ? count - 1 : null);
				return counts.isEmpty() ? null : counts;
			});
		}

	}

	/**
	 * What a write achieved.
	 *
	 * @param succeeded whether the write quorum stored it
	 * @param storedOn the replicas that stored it by the time it was decided
	 */
	private record WriteOutcome(boolean succeeded, List<Node> storedOn) {

	}

	private void hint(Node node, String encoded, Envelope envelope) {
		if (node.hints.add(encoded, envelope)) {
			this.metrics.hintQueued(node.address);
		}
		else {
			this.metrics.hintDropped(node.address);
		}
	}

	/**
	 * Write to one replica only if {@code decide} says so, given what the replica holds
	 * now, with compare-and-swap so that nothing written meanwhile is lost.
	 * @param node the replica
	 * @param encoded the memcached key
	 * @param decide given the live envelope ({@code null} when absent, unreadable or an
	 * absent marker), the envelope to store, or {@code null} to leave the replica as it
	 * is
	 * @return the envelope stored, or {@code null} when declined
	 */
	private CompletableFuture<@Nullable Envelope> conditionalWrite(Node node, String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> decide) {
		return conditionalWrite(node, encoded, decide, MAX_CAS_ATTEMPTS);
	}

	private CompletableFuture<@Nullable Envelope> conditionalWrite(Node node, String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> decide, int attemptsLeft) {
		return node.connection.gets(encoded).thenCompose((item) -> {
			Envelope current = (item != null) ? decode(node, item) : null;
			if (current != null && current.kind() == Envelope.Kind.ABSENT) {
				current = null;
			}
			Envelope next = decide.apply(current);
			if (next == null) {
				return CompletableFuture.completedFuture(null);
			}
			int expiry = expiry(next);
			if (expiry < 0) {
				return CompletableFuture.completedFuture(null);
			}
			StoredValue value = new StoredValue(Envelope.FLAGS, next.encode());
			CompletableFuture<Boolean> stored = (item != null) ? node.connection.cas(encoded, expiry, value, item.cas())
					: node.connection.add(encoded, expiry, value);
			return stored.thenCompose((ok) -> {
				if (ok) {
					return CompletableFuture.completedFuture(next);
				}
				if (attemptsLeft <= 1) {
					return CompletableFuture.failedFuture(new IllegalStateException(node.address
							+ " kept changing under compare-and-swap after " + MAX_CAS_ATTEMPTS + " attempts"));
				}
				// Writers that lost together would collide again: retry after a random
				// pause whose bound doubles with each attempt (at most 6.4 ms).
				int attempt = MAX_CAS_ATTEMPTS - attemptsLeft;
				long pause = ThreadLocalRandom.current().nextLong(CAS_BACKOFF_MICROS << Math.min(attempt, 5));
				return CompletableFuture.runAsync(() -> {
				}, CompletableFuture.delayedExecutor(pause, TimeUnit.MICROSECONDS))
					.thenCompose((ignored) -> conditionalWrite(node, encoded, decide, attemptsLeft - 1));
			});
		});
	}

	/**
	 * Write {@code envelope} to a replica only where it holds nothing or something older.
	 * @param node the replica
	 * @param encoded the memcached key
	 * @param envelope the newest known envelope
	 * @return the envelope stored, or {@code null} when the replica already had it or
	 * newer
	 */
	private CompletableFuture<@Nullable Envelope> writeIfNewer(Node node, String encoded, Envelope envelope) {
		return conditionalWrite(node, encoded, (current) -> envelope.supersedes(current) ? envelope : null);
	}

	private void rollBack(String encoded, Envelope lost, List<Node> storedOn) {
		for (Node node : storedOn) {
			rollBack(node, encoded, lost, 3);
		}
	}

	/**
	 * Undo a lost add on one replica, unless something newer replaced it meanwhile. A
	 * replica left holding the loser's value would disagree with the quorum, so a failed
	 * attempt is retried after a probe interval.
	 */
	private void rollBack(Node node, String encoded, Envelope lost, int attemptsLeft) {
		conditionalWrite(node, encoded,
				(current) -> (current != null && current.version() == lost.version())
						? Envelope.absent().withExpiry(this.wallClock.getAsLong() + 1000) : null)
			.whenComplete((stored, failure) -> {
				if (failure != null && attemptsLeft > 1 && !this.maintenance.isShutdown()) {
					this.maintenance.schedule(() -> rollBack(node, encoded, lost, attemptsLeft - 1),
							this.probeInterval.toMillis(), TimeUnit.MILLISECONDS);
				}
			});
	}

	private void repair(List<Node> stale, String encoded, Envelope newest) {
		for (Node node : stale) {
			if (!node.isWritable()) {
				continue;
			}
			writeIfNewer(node, encoded, newest).whenComplete((stored, failure) -> {
				if (failure == null && stored != null) {
					this.metrics.readRepair(node.address);
				}
			});
		}
	}

	// ---- the read paths

	private List<Node> readableReplicas(String encoded, Map<NodeAddress, String> skipped) {
		List<NodeAddress> replicas = this.placement.replicasFor(encoded);
		List<Node> readable = new ArrayList<>(replicas.size());
		for (NodeAddress address : replicas) {
			Node node = this.nodes.get(address);
			if (node.isReadable()) {
				readable.add(node);
			}
			else {
				skipped.put(address, describeUnreadable(node));
			}
		}
		return readable;
	}

	/**
	 * The order of a FIRST_HIT walk: readable replicas in a fresh shuffle, those still
	 * applying a conditional write of this key last.
	 */
	private List<Node> readOrder(String encoded, Map<NodeAddress, String> skipped) {
		List<Node> order = readableReplicas(encoded, skipped);
		shuffle(order);
		if (!this.laggards.isEmpty()) {
			Map<Node, Integer> lagging = this.laggards.get(encoded);
			if (lagging != null) {
				List<Node> last = new ArrayList<>(order.size());
				order.removeIf((node) -> lagging.containsKey(node) && last.add(node));
				order.addAll(last);
			}
		}
		return order;
	}

	private static String describeUnreadable(Node node) {
		return switch (node.state()) {
			case DOWN -> "is marked down";
			case RECOVERING -> "is recovering";
			case UP -> "has " + node.hints.size() + " missed writes to replay";
		};
	}

	private static void shuffle(List<Node> nodes) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		for (int i = nodes.size() - 1; i > 0; i--) {
			Collections.swap(nodes, i, random.nextInt(i + 1));
		}
	}

	private @Nullable Envelope decode(Node node, StoredItem item) {
		Envelope envelope = Envelope.decode(item.flags(), item.data());
		if (envelope == null) {
			this.metrics.unreadableValue(node.address);
			logger.debug("Unreadable bytes under a key on {} ({} bytes, flags {}); treated as a miss", node.address,
					item.data().length, item.flags());
		}
		return envelope;
	}

	/**
	 * Finds what one reply says: the envelope, or {@code null} for a miss, an unreadable
	 * item or an absent marker.
	 */
	private @Nullable Envelope liveOrTombstone(Node node, @Nullable StoredItem item) {
		if (item == null) {
			return null;
		}
		Envelope envelope = decode(node, item);
		return (envelope != null && envelope.kind() != Envelope.Kind.ABSENT) ? envelope : null;
	}

	/** A FIRST_HIT read of one key. */
	private final class Walk {

		private final String key;

		private final String encoded;

		private final Map<NodeAddress, String> failures = new LinkedHashMap<>();

		private final List<Node> order;

		private final List<Node> missed = new ArrayList<>(2);

		private final CompletableFuture<@Nullable Envelope> result = new CompletableFuture<>();

		private int next;

		private int answered;

		Walk(String key, String encoded) {
			this.key = key;
			this.encoded = encoded;
			this.order = readOrder(encoded, this.failures);
		}

		CompletableFuture<@Nullable Envelope> start() {
			step();
			return this.result;
		}

		private void step() {
			if (this.next == this.order.size()) {
				if (this.answered > 0) {
					this.result.complete(null);
				}
				else {
					ReplicatedMemcached.this.metrics.quorumFailure("get");
					this.result.completeExceptionally(new QuorumNotReachedException("get", this.key, 1,
							ReplicatedMemcached.this.placement.replicationFactor(), 0, this.failures));
				}
				return;
			}
			Node node = this.order.get(this.next++);
			timed(node, "get", node.connection.gets(this.encoded)).whenComplete((item, failure) -> {
				if (failure != null) {
					Throwable cause = unwrap(failure);
					recordFailure(node, cause);
					this.failures.put(node.address, cause.getMessage());
					ReplicatedMemcached.this.metrics.failover(node.address);
					step();
					return;
				}
				node.recordSuccess();
				this.answered++;
				Envelope envelope = liveOrTombstone(node, item);
				if (envelope == null) {
					this.missed.add(node);
					ReplicatedMemcached.this.metrics.failover(node.address);
					step();
					return;
				}
				this.result.complete(envelope);
				repair(this.missed, this.encoded, envelope);
			});
		}

	}

	/** A MAJORITY read of one key. */
	private final class MajorityRead {

		private final String key;

		private final String encoded;

		private final Map<NodeAddress, String> failures = new LinkedHashMap<>();

		private final List<Node> readable;

		private final Map<Node, @Nullable Envelope> answers = new LinkedHashMap<>();

		private final int required;

		private final CompletableFuture<@Nullable Envelope> result = new CompletableFuture<>();

		private @Nullable Envelope newest;

		MajorityRead(String key, String encoded) {
			this.key = key;
			this.encoded = encoded;
			this.readable = readableReplicas(encoded, this.failures);
			this.required = ReplicatedMemcached.this.placement.replicationFactor() / 2 + 1;
		}

		CompletableFuture<@Nullable Envelope> start() {
			if (this.readable.size() < this.required) {
				fail();
				return this.result;
			}
			for (Node node : this.readable) {
				timed(node, "get", node.connection.gets(this.encoded)).whenComplete((item, failure) -> {
					if (failure != null) {
						Throwable cause = unwrap(failure);
						recordFailure(node, cause);
						failed(node, cause.getMessage());
					}
					else {
						node.recordSuccess();
						answered(node, liveOrTombstone(node, item));
					}
				});
			}
			return this.result;
		}

		private synchronized void failed(Node node, @Nullable String reason) {
			this.failures.put(node.address, (reason != null) ? reason : "failed");
			if (!this.result.isDone() && this.readable.size() - countFailures() < this.required) {
				fail();
			}
		}

		private int countFailures() {
			int count = 0;
			for (Node node : this.readable) {
				if (this.failures.containsKey(node.address)) {
					count++;
				}
			}
			return count;
		}

		private synchronized void answered(Node node, @Nullable Envelope envelope) {
			this.answers.put(node, envelope);
			if (this.result.isDone()) {
				if (this.newest != null && this.newest.supersedes(envelope)) {
					repair(List.of(node), this.encoded, this.newest);
				}
				return;
			}
			if (this.answers.size() < this.required) {
				return;
			}
			Envelope winner = null;
			for (Envelope candidate : this.answers.values()) {
				if (candidate != null && (winner == null || candidate.version() > winner.version())) {
					winner = candidate;
				}
			}
			this.newest = winner;
			this.result.complete(winner);
			if (winner != null) {
				List<Node> stale = new ArrayList<>();
				Envelope decided = winner;
				this.answers.forEach((answeredBy, held) -> {
					if (decided.supersedes(held)) {
						stale.add(answeredBy);
					}
				});
				repair(stale, this.encoded, winner);
			}
		}

		private void fail() {
			ReplicatedMemcached.this.metrics.quorumFailure("get");
			this.result.completeExceptionally(new QuorumNotReachedException("get", this.key, this.required,
					ReplicatedMemcached.this.placement.replicationFactor(), this.answers.size(), this.failures));
		}

	}

	/**
	 * A FIRST_HIT read of many keys, in rounds: each round sends one multi-get per node
	 * for the keys whose walk reached that node.
	 */
	private final class MultiWalk {

		private final Map<String, String> byEncoded;

		private final Map<String, KeyWalk> pending = new LinkedHashMap<>();

		private final Map<String, Envelope> found = new LinkedHashMap<>();

		private final CompletableFuture<Map<String, Envelope>> result = new CompletableFuture<>();

		private int outstanding;

		MultiWalk(Map<String, String> byEncoded) {
			this.byEncoded = byEncoded;
			for (String encoded : byEncoded.keySet()) {
				KeyWalk walk = new KeyWalk();
				walk.order = readOrder(encoded, walk.failures);
				this.pending.put(encoded, walk);
			}
		}

		CompletableFuture<Map<String, Envelope>> start() {
			round();
			return this.result;
		}

		private synchronized void round() {
			Map<Node, List<String>> batches = new LinkedHashMap<>();
			List<String> exhausted = new ArrayList<>();
			this.pending.forEach((encoded, walk) -> {
				if (walk.next < walk.order.size()) {
					batches.computeIfAbsent(walk.order.get(walk.next++), (node) -> new ArrayList<>()).add(encoded);
				}
				else {
					exhausted.add(encoded);
				}
			});
			for (String encoded : exhausted) {
				KeyWalk walk = this.pending.remove(encoded);
				if (walk.answered == 0) {
					ReplicatedMemcached.this.metrics.quorumFailure("get");
					this.result.completeExceptionally(new QuorumNotReachedException("get", this.byEncoded.get(encoded),
							1, ReplicatedMemcached.this.placement.replicationFactor(), 0, walk.failures));
					return;
				}
			}
			if (batches.isEmpty()) {
				this.result.complete(this.found);
				return;
			}
			this.outstanding = batches.size();
			batches.forEach((node, keys) -> timed(node, "get", node.connection.getsMulti(keys))
				.whenComplete((items, failure) -> received(node, keys, items, failure)));
		}

		private synchronized void received(Node node, List<String> keys, @Nullable Map<String, StoredItem> items,
				@Nullable Throwable failure) {
			if (failure != null) {
				Throwable cause = unwrap(failure);
				recordFailure(node, cause);
				for (String encoded : keys) {
					this.pending.get(encoded).failures.put(node.address, cause.getMessage());
					ReplicatedMemcached.this.metrics.failover(node.address);
				}
			}
			else {
				node.recordSuccess();
				for (String encoded : keys) {
					KeyWalk walk = this.pending.get(encoded);
					walk.answered++;
					Envelope envelope = liveOrTombstone(node, (items != null) ? items.get(encoded) : null);
					if (envelope == null) {
						walk.missed.add(node);
						ReplicatedMemcached.this.metrics.failover(node.address);
					}
					else {
						this.pending.remove(encoded);
						this.found.put(encoded, envelope);
						repair(walk.missed, encoded, envelope);
					}
				}
			}
			if (--this.outstanding == 0) {
				round();
			}
		}

	}

	private static final class KeyWalk {

		final Map<NodeAddress, String> failures = new LinkedHashMap<>();

		final List<Node> missed = new ArrayList<>(2);

		List<Node> order = List.of();

		int next;

		int answered;

	}

	// ---- failure detection and recovery

	private <T> CompletableFuture<T> timed(Node node, String operation, CompletableFuture<T> future) {
		if (this.metrics == EngineMetrics.none()) {
			// Every command passes here: without a registry, add no stage and read no
			// clock.
			return future;
		}
		long start = System.nanoTime();
		return future.whenComplete((value, failure) -> this.metrics.nodeOperation(node.address, operation,
				System.nanoTime() - start, failure == null));
	}

	private void recordFailure(Node node, Throwable failure) {
		node.recordFailure(failure, this.probeInterval);
	}

	private void maintain() {
		try {
			long now = System.nanoTime();
			for (Node node : this.nodes.values()) {
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
				return (now - node.nextProbeAtNanos >= 0) ? probe(node) : null;
			case RECOVERING:
				return recover(node);
			default:
				if (!node.hints.isEmpty()) {
					return recover(node);
				}
				if (now - node.nextStatsAtNanos >= 0) {
					node.nextStatsAtNanos = now + this.restartCheckInterval.toNanos();
					return checkForRestart(node);
				}
				return null;
		}
	}

	private CompletableFuture<Void> probe(Node node) {
		return node.connection.stats().<CompletableFuture<Void>>handle((stats, failure) -> {
			if (failure != null) {
				node.probeBackoffNanos = Math.min(node.probeBackoffNanos * 2, this.maxProbeInterval.toNanos());
				node.nextProbeAtNanos = System.nanoTime() + node.probeBackoffNanos;
				return CompletableFuture.completedFuture(null);
			}
			if (node.observe(stats)) {
				restarted(node);
			}
			node.resetFailures();
			if (node.transition(NodeState.DOWN, NodeState.RECOVERING)) {
				logger.info("memcached node {} answers again; replaying {} missed writes before it serves reads",
						node.address, node.hints.size());
			}
			return recover(node);
		}).thenCompose(Function.identity());
	}

	private CompletableFuture<Void> checkForRestart(Node node) {
		return node.connection.stats().<CompletableFuture<Void>>handle((stats, failure) -> {
			if (failure != null) {
				recordFailure(node, unwrap(failure));
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
		// An empty node holds nothing stale, so forgotten hints no longer require a
		// flush.
		node.hints.clearOverflow();
		this.metrics.nodeRestarted(node.address);
		logger.warn("memcached node {} restarted (new process or start time): it is empty until repaired",
				node.address);
	}

	/**
	 * Bring a node up to date: flush it if it missed more than its hints remember, replay
	 * its hints, then let it serve reads.
	 */
	private CompletableFuture<Void> recover(Node node) {
		CompletableFuture<Void> flushed = CompletableFuture.completedFuture(null);
		if (node.hints.isOverflowed()) {
			node.hints.clearOverflow();
			logger.warn("memcached node {} missed more writes than its hint log holds; flushing it", node.address);
			flushed = node.connection.flushAll().thenRun(() -> this.metrics.nodeFlushed(node.address));
		}
		return flushed.thenCompose((ignored) -> replayHints(node)).whenComplete((ignored, failure) -> {
			if (failure != null) {
				Throwable cause = unwrap(failure);
				logger.debug("Recovery of {} failed: {}", node.address, cause.getMessage());
				if (node.state() == NodeState.RECOVERING) {
					node.markDown(cause.getMessage(), this.probeInterval);
				}
				else {
					recordFailure(node, cause);
				}
			}
			else if (node.hints.isEmpty() && node.transition(NodeState.RECOVERING, NodeState.UP)) {
				logger.info("memcached node {} is up and serves reads again", node.address);
			}
		});
	}

	private CompletableFuture<Void> replayHints(Node node) {
		List<HintLog.Hint> batch = node.hints.batch(HINT_BATCH);
		if (batch.isEmpty()) {
			return CompletableFuture.completedFuture(null);
		}
		CompletableFuture<?>[] replays = new CompletableFuture<?>[batch.size()];
		for (int i = 0; i < batch.size(); i++) {
			HintLog.Hint hint = batch.get(i);
			replays[i] = writeIfNewer(node, hint.key(), hint.envelope()).thenRun(() -> {
				node.hints.replayed(hint);
				this.metrics.hintReplayed(node.address);
			});
		}
		return CompletableFuture.allOf(replays).thenCompose((ignored) -> replayHints(node));
	}

	// ---- status and lifecycle

	/**
	 * A snapshot of every node, in configuration order.
	 * @return the nodes' status
	 */
	public List<NodeStatus> nodeStatus() {
		return this.nodes.values().stream().map(Node::status).toList();
	}

	/**
	 * Whether enough nodes are up or recovering for every key to reach its write quorum.
	 * @return {@code true} when writes can succeed
	 */
	public boolean isWriteQuorumReachable() {
		long writable = this.nodes.values().stream().filter(Node::isWritable).count();
		int replication = this.placement.replicationFactor();
		long unwritable = this.nodes.size() - writable;
		// With a ring, any R-subset may hold a key; the worst case puts every failed node
		// in it.
		return replication - Math.min(unwritable, replication) >= this.writeQuorum.required(replication);
	}

	public Placement placement() {
		return this.placement;
	}

	public KeyEncoder keyEncoder() {
		return this.keyEncoder;
	}

	public ReadConsistency readConsistency() {
		return this.readConsistency;
	}

	public WriteQuorum writeQuorum() {
		return this.writeQuorum;
	}

	public int maxItemSize() {
		return this.maxItemSize;
	}

	@Override
	public void close() {
		this.maintenance.shutdownNow();
		try {
			this.maintenance.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.nodes.values().forEach((node) -> node.connection.close());
	}

	@Override
	public String toString() {
		return "ReplicatedMemcached[" + this.placement + ", writeQuorum=" + this.writeQuorum + ", readConsistency="
				+ this.readConsistency + "]";
	}

	private static Throwable unwrap(Throwable failure) {
		return Completions.unwrap(failure);
	}

	private static <T> T await(CompletableFuture<T> future) {
		return Completions.await(future);
	}

	/**
	 * Settings of a {@link ReplicatedMemcached}, with defaults suited to a cache and a
	 * session store.
	 */
	public static final class Builder {

		private List<String> servers = List.of();

		private @Nullable Integer replicationFactor;

		private WriteQuorum writeQuorum = WriteQuorum.MAJORITY;

		private ReadConsistency readConsistency = ReadConsistency.FIRST_HIT;

		private Duration operationTimeout = Duration.ofMillis(250);

		private Duration connectTimeout = Duration.ofSeconds(1);

		private Duration reconnectInterval = Duration.ofMillis(500);

		private int failureThreshold = 3;

		private Duration probeInterval = Duration.ofMillis(100);

		private Duration maxProbeInterval = Duration.ofSeconds(2);

		private Duration restartCheckInterval = Duration.ofSeconds(1);

		private String keyPrefix = "";

		private int maxItemSize = 1024 * 1024;

		private int hintCapacity = 10_000;

		private Duration tombstoneTtl = Duration.ofHours(24);

		private EngineMetrics metrics = EngineMetrics.none();

		private Builder() {
		}

		/**
		 * The memcached nodes, each {@code host:port}.
		 * @param servers the nodes
		 * @return this builder
		 */
		public Builder servers(List<String> servers) {
			this.servers = List.copyOf(servers);
			return this;
		}

		public Builder servers(String... servers) {
			return servers(List.of(servers));
		}

		/**
		 * Replicas per key; {@code null} (the default) means every node.
		 * @param replicationFactor between 1 and the node count
		 * @return this builder
		 */
		public Builder replicationFactor(@Nullable Integer replicationFactor) {
			this.replicationFactor = replicationFactor;
			return this;
		}

		public Builder writeQuorum(WriteQuorum writeQuorum) {
			this.writeQuorum = writeQuorum;
			return this;
		}

		public Builder readConsistency(ReadConsistency readConsistency) {
			this.readConsistency = readConsistency;
			return this;
		}

		public Builder operationTimeout(Duration operationTimeout) {
			this.operationTimeout = positive("operationTimeout", operationTimeout);
			return this;
		}

		public Builder connectTimeout(Duration connectTimeout) {
			this.connectTimeout = positive("connectTimeout", connectTimeout);
			return this;
		}

		public Builder reconnectInterval(Duration reconnectInterval) {
			this.reconnectInterval = positive("reconnectInterval", reconnectInterval);
			return this;
		}

		/**
		 * Consecutive timeouts or connection failures before a node is marked down.
		 * @param failureThreshold at least 1
		 * @return this builder
		 */
		public Builder failureThreshold(int failureThreshold) {
			if (failureThreshold < 1) {
				throw new IllegalArgumentException("failureThreshold must be at least 1, got " + failureThreshold);
			}
			this.failureThreshold = failureThreshold;
			return this;
		}

		/**
		 * The first delay before probing a node marked down; it doubles after each failed
		 * probe up to {@link #maxProbeInterval(Duration)}.
		 * @param probeInterval the first delay
		 * @return this builder
		 */
		public Builder probeInterval(Duration probeInterval) {
			this.probeInterval = positive("probeInterval", probeInterval);
			return this;
		}

		public Builder maxProbeInterval(Duration maxProbeInterval) {
			this.maxProbeInterval = positive("maxProbeInterval", maxProbeInterval);
			return this;
		}

		/**
		 * How often nodes that are up are asked for their process id and uptime, to
		 * notice a restart that was too quick to mark them down.
		 * @param restartCheckInterval the interval
		 * @return this builder
		 */
		public Builder restartCheckInterval(Duration restartCheckInterval) {
			this.restartCheckInterval = positive("restartCheckInterval", restartCheckInterval);
			return this;
		}

		public Builder keyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
			return this;
		}

		/**
		 * The largest item memcached accepts, which is its {@code -I} option (1 MB by
		 * default). Larger values are rejected before anything is written.
		 * @param maxItemSize the limit in bytes
		 * @return this builder
		 */
		public Builder maxItemSize(int maxItemSize) {
			if (maxItemSize < 1024) {
				throw new IllegalArgumentException("maxItemSize must be at least 1024 bytes, got " + maxItemSize);
			}
			this.maxItemSize = maxItemSize;
			return this;
		}

		/**
		 * Missed writes remembered per node before it must be flushed on return.
		 * @param hintCapacity at least 1
		 * @return this builder
		 */
		public Builder hintCapacity(int hintCapacity) {
			if (hintCapacity < 1) {
				throw new IllegalArgumentException("hintCapacity must be at least 1, got " + hintCapacity);
			}
			this.hintCapacity = hintCapacity;
			return this;
		}

		public Builder tombstoneTtl(Duration tombstoneTtl) {
			this.tombstoneTtl = positive("tombstoneTtl", tombstoneTtl);
			return this;
		}

		public Builder metrics(EngineMetrics metrics) {
			this.metrics = metrics;
			return this;
		}

		private static Duration positive(String name, Duration value) {
			if (value.isNegative() || value.isZero()) {
				throw new IllegalArgumentException(name + " must be positive, got " + value);
			}
			return value;
		}

		/**
		 * Connect to the nodes. Nodes that are down now are not an error: they are
		 * retried in the background.
		 * @return the engine
		 */
		public ReplicatedMemcached build() {
			return new ReplicatedMemcached(this);
		}

	}

}
