package io.memquorum.engine;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;

import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeConnection.StoredValue;
import io.memquorum.placement.Placement;
import io.memquorum.refill.Refill;
import io.memquorum.refill.RefillStatus;
import org.jspecify.annotations.Nullable;

/**
 * A set of memcached nodes used as replicas: quorum writes, failover reads, tombstones,
 * hints and repair. Thread-safe; one instance per application.
 *
 * <h2>Consistency</h2>
 * <ul>
 * <li><b>Placement.</b> Each key has R replicas ({@link Placement}): every node by
 * default, or R nodes from a consistent-hash ring. Placement depends only on the node
 * list; a node that is down keeps its keys, which simply miss on it, and nothing is
 * remapped. The node list may change while the engine runs ({@link #updateNodes}, or
 * another instance publishing a different list): then the old and the new placement are
 * both in force (writes need a quorum of a key's old and of its new owners, reads ask
 * both, a node of the new placement decides no miss until refilled for the change) until
 * the new owners are refilled, the settle period passed and no live instance publishes
 * another list ({@link Membership}, {@link MembershipChanges},
 * {@link NodeSetRecords}).</li>
 * <li><b>Versions.</b> Every value is stored in an {@link Envelope} carrying a version
 * ({@link VersionClock}, a hybrid logical clock: wall-clock milliseconds plus a counter,
 * never lower than any version this engine has read) and its expiry time. A write is
 * newer than everything its writer saw; writes that did not see each other are ordered by
 * wall clock.</li>
 * <li><b>Combining.</b> Wherever the engine copies entries between replicas (MAJORITY
 * reads, repair, hint replay, two hints of one key) they combine by the key's
 * {@link EntryMerge}: the newer version wins, unless a store registered its own merge for
 * the key's prefix ({@link #mergeUnder(String, EntryMerge)}), as the session store does
 * to merge attribute by attribute.</li>
 * <li><b>Writes</b> ({@code set}, {@code add}, {@code replace}, {@code touch},
 * {@code delete}, {@code update}) go to all R replicas at once and complete when the
 * {@link WriteQuorum} has acknowledged. The remaining replicas finish in the background
 * and are never cancelled. A plain {@code set} overwrites blindly, so two concurrent sets
 * of one key can leave replicas with different versions; a MAJORITY read returns the
 * newer and repairs the others.</li>
 * <li><b>add</b> succeeds when a write quorum of replicas held nothing live for the key
 * (no entry, an expired or unreadable one, or a tombstone) and stored the value. A
 * replica that lost its copy (restarted empty) accepts the add although others hold the
 * key, which is why the quorum decides, not any single replica. When the add loses, each
 * replica where it did store gets back what the add replaced: the tombstone it overwrote
 * (so a replica that missed the delete stays shadowed), or an absent marker, so that the
 * winner's value is the only one left. Until an add is known to have won, no copy between
 * replicas made by this instance (refill, read repair, hint replay) writes its value;
 * another instance's refill or repair that copies it in the moment before the rollback is
 * not prevented.</li>
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
 * of answers they are combined, and replicas whose answer the result adds to are
 * repaired. A miss from a node restarted or flushed and not yet refilled does not count
 * toward the majority (the read waits for the other replicas).</li>
 * <li><b>Repair</b> writes only where it adds to what the replica holds (add, or
 * compare-and-swap against what it holds), with the entry's remaining lifetime, so it
 * never overwrites something newer and never extends a lifetime.</li>
 * <li><b>Deletes</b> write a tombstone (kept {@code tombstoneTtl}) through the quorum, so
 * a replica that missed a delete cannot serve the old value to a MAJORITY read, and a
 * FIRST_HIT read that meets the tombstone first stops there.</li>
 * <li><b>deleteIfHolds</b> removes a key only where it still holds exactly the caller's
 * bytes (compare-and-swap), leaving a one-second absent marker instead of a tombstone;
 * meant for leases and other short-lived keys that only their writer may remove.</li>
 * <li><b>Node-wide keys</b> ({@link #nodeWide()}) live on every node, not on a placement:
 * a write goes to every node and returns once every node answered or failed (a majority
 * of all nodes must store it; the rest get hints), a read asks a majority of all nodes,
 * and a key can be read FIRST_HIT together with a node-wide key from the same replica in
 * one round trip. See {@link NodeWideKeys}.</li>
 * </ul>
 * <h2>Failure</h2>
 * <ul>
 * <li>A replica that misses a successful write or delete (it failed, timed out or is
 * down) gets a <b>hint</b>: the newest envelope per key, kept in memory up to
 * {@code hintCapacity} keys and {@code hintBytes} bytes per node. A node with pending
 * hints serves no reads.</li>
 * <li>After {@code failureThreshold} consecutive <em>failure events</em> a node is
 * {@link NodeState#DOWN}: calls to it fail at once, reads skip it without a round trip,
 * and a background probe with exponential backoff watches for its return. The timeouts of
 * one node within one operation timeout of each other are one event (commands queued
 * behind one pause time out over that span), so one stall counts once; timeouts that hit
 * every node at the same instant, or that a late scan found, are blamed on this JVM (a
 * pause), not on any node, unless they last beyond twice the operation timeout.</li>
 * <li>A node that stays DOWN past {@code reconnectGrace} gets a new connection, with its
 * host name resolved again: a frozen process keeps the old connection open for ever, and
 * a node rescheduled under the same name answers at a new address. This repeats every
 * grace period while it stays down.</li>
 * <li>A node that answers again, or that is found restarted (its process id or start time
 * changed; every node's identity is learned when the engine starts), is
 * {@link NodeState#RECOVERING}: it takes writes, serves no reads, and has its hints
 * replayed. It is flushed first, unless it restarted empty, when it may hold values whose
 * deletes no peer remembers: a delete it missed has a tombstone that expired before
 * replay, it was unreachable for longer than a tombstone lives, or its hints overflowed
 * longer ago than that (or when refill cannot verify it). Then it is
 * {@link NodeState#UP}.</li>
 * <li>A node whose hints overflowed, up or returning, serves no reads until refill has
 * <b>verified</b> it ({@link io.memquorum.refill.Refill#verify}): every key it should
 * hold compared with its peers, the newest version written where it holds nothing or
 * something older. It is not flushed: every delete it missed still has its tombstone on a
 * peer, and the entries it holds stay.</li>
 * <li>A node that restarted, was flushed, is new, or whose replicas changed with the node
 * list (it lacks its completeness marker for this node list) is <b>refilled</b> in the
 * background ({@link io.memquorum.refill.Refill}): its peers list their keys, and every
 * entry it should hold, value or tombstone, is copied with the remaining lifetime where
 * it holds nothing, or an older version when a tombstone is involved; a value it holds is
 * never replaced by another value, which may lack merged updates. One application
 * instance copies a given node incarnation, under a lease stored on that node; the node
 * serves reads meanwhile, and a miss on it falls through. Refill needs memcached's LRU
 * crawler.</li>
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
 * <li>Refill copies what the peers hold when it runs. Restarting the next node before the
 * previous one is refilled (its marker written) can lose entries whose only copies were
 * on the two.</li>
 * <li>Another application instance may see a node differently: its own hints and its own
 * failure detector decide for it.</li>
 * </ul>
 * <h2>Concurrency</h2> Node commands are pipelined over one NIO connection per node and
 * complete futures on xmemcached's reactor threads; no thread waits per replica. The
 * synchronous methods wait once per operation, at most until its deadline. One
 * maintenance thread scans command timeouts, probes, replays hints, checks for restarts
 * and runs compare-and-swap back-off, so no engine work lands on the common ForkJoin
 * pool; a second thread opens and closes connections, which may block; a third checks
 * completeness markers and runs refills, whose key listings block on a socket. Each node
 * has at most one maintenance task in flight ({@code Node.busy}).
 *
 * <h2>Where each clause lives</h2> {@link QuorumWrite} (writes), {@link ConditionalWrite}
 * (add, replace, touch, update, add rollback), {@link MergingUpdate},
 * {@link UncommittedAdds}, {@link FirstHitRead}, {@link MajorityRead}, {@link MultiGet},
 * {@link ReadOrder}, {@link Repair}, {@link EveryNodeWrite}, {@link EveryNodeRead},
 * {@link CompanionRead} (node-wide keys), {@link MembershipChanges} (node list changes),
 * {@link Hints}, {@link NodeWatch} (failure, reconnection, restarts, recovery) and
 * {@link TimeoutScan} (failure events), all around one {@link EngineState}. This class
 * only routes.
 */
public final class ReplicatedMemcached implements AutoCloseable {

	/** How long a released key reads as absent before memcached drops the marker. */
	private static final long ABSENT_MARKER_MILLIS = 1000;

	private final EngineAssembly assembly;

	private final EngineState state;

	private final ReadOrder readOrder;

	private final ConditionalWrite conditional;

	private final Repair repair;

	private final QuorumWrite quorumWrite;

	private final MultiGet multiGet;

	private final NodeWideKeys nodeWide;

	private final Duration deadline;

	private final Refill refill;

	private ReplicatedMemcached(Builder builder) {
		EngineAssembly assembly = new EngineAssembly(builder);
		this.assembly = assembly;
		this.state = assembly.state;
		this.readOrder = assembly.readOrder;
		this.conditional = assembly.conditional;
		this.repair = assembly.repair;
		this.quorumWrite = assembly.quorumWrite;
		this.multiGet = assembly.multiGet;
		this.nodeWide = assembly.nodeWide;
		this.deadline = assembly.deadline;
		this.refill = assembly.refill;
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
		// Waits for the read itself: no further stage per get.
		return payloadOf(await(read(key, this.state.settings.readConsistency())));
	}

	public CompletableFuture<byte @Nullable []> getAsync(String key) {
		return getAsync(key, this.state.settings.readConsistency());
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
		return payloadOf(await(read(key, consistency)));
	}

	public CompletableFuture<byte @Nullable []> getAsync(String key, ReadConsistency consistency) {
		return read(key, consistency).thenApply(ReplicatedMemcached::payloadOf);
	}

	private CompletableFuture<@Nullable Envelope> read(String key, ReadConsistency consistency) {
		String encoded = this.state.keyEncoder.encode(key);
		return this.state.foregroundSample((consistency == ReadConsistency.MAJORITY)
				? new MajorityRead(this.state, this.readOrder, this.repair, key, encoded).start()
				: new FirstHitRead(this.state, this.readOrder, this.repair, key, encoded).start());
	}

	/**
	 * A MAJORITY read that remembers what each replica held, so that an
	 * {@link #update(String, UnaryOperator, ToLongFunction, ReadStamp) update} right
	 * after it sends its compare-and-swap at once instead of reading again: the
	 * read-then-save cycle of a session costs one round trip less.
	 * @param key the key
	 * @return the value and the stamp
	 * @throws QuorumNotReachedException when too few replicas could answer
	 */
	public StampedValue getStamped(String key) {
		return await(getStampedAsync(key));
	}

	public CompletableFuture<StampedValue> getStampedAsync(String key) {
		String encoded = this.state.keyEncoder.encode(key);
		ReadStamp stamp = new ReadStamp();
		return new MajorityRead(this.state, this.readOrder, this.repair, key, encoded, stamp).start()
			.thenApply((envelope) -> new StampedValue(payloadOf(envelope), stamp));
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
		return getAllAsync(keys, this.state.settings.readConsistency());
	}

	/**
	 * Read many values with a read consistency chosen for this call, for example a
	 * MAJORITY read of sessions found through an index on an engine whose reads are
	 * FIRST_HIT: a replica that missed a delete must not answer alone.
	 * @param keys the keys
	 * @param consistency how to choose among the replicas of each key
	 * @return the values found, by key
	 * @throws QuorumNotReachedException when some key had no replica able to answer
	 * (MAJORITY: too few)
	 */
	public Map<String, byte[]> getAll(Collection<String> keys, ReadConsistency consistency) {
		return await(getAllAsync(keys, consistency));
	}

	public CompletableFuture<Map<String, byte[]>> getAllAsync(Collection<String> keys, ReadConsistency consistency) {
		Map<String, String> byEncoded = new LinkedHashMap<>();
		for (String key : keys) {
			byEncoded.put(this.state.keyEncoder.encode(key), key);
		}
		return this.multiGet.read(byEncoded, consistency).thenApply((envelopes) -> {
			Map<String, byte[]> values = new LinkedHashMap<>();
			envelopes.forEach((encoded, envelope) -> {
				if (envelope.isValue()) {
					values.put(byEncoded.get(encoded), envelope.payload());
				}
			});
			return values;
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
		String encoded = this.state.keyEncoder.encode(key);
		Envelope envelope = Envelope.value(this.state.versions.next(), this.state.expiresAt(ttl), value);
		return store("set", key, encoded, envelope, this.state.storable(key, encoded, envelope));
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
		String encoded = this.state.keyEncoder.encode(key);
		Envelope envelope = Envelope.value(this.state.versions.next(), this.state.expiresAt(ttl), value);
		this.state.storable(key, encoded, envelope);
		return new QuorumAdd(this.quorumWrite, this.conditional, this.readOrder, this.state.uncommittedAdds).add(key,
				encoded, envelope);
	}

	/**
	 * Replace a value only where a live one exists.
	 * @param key the key
	 * @param value the new value
	 * @param ttl how long it lives; {@link Duration#ZERO} for no expiry
	 * @return whether a write quorum replaced it
	 */
	public boolean replace(String key, byte[] value, Duration ttl) {
		String encoded = this.state.keyEncoder.encode(key);
		Envelope envelope = Envelope.value(this.state.versions.next(), this.state.expiresAt(ttl), value);
		this.state.storable(key, encoded, envelope);
		return await(conditionally("replace", key, encoded, (current) -> isLive(current) ? envelope : null));
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
		String encoded = this.state.keyEncoder.encode(key);
		long expiresAt = this.state.expiresAt(ttl);
		return conditionally("touch", key, encoded,
				(current) -> isLive(current) ? current.withExpiry(expiresAt) : null);
	}

	/**
	 * Merge a change into every replica's copy of a value with compare-and-swap. The
	 * merge sees the replica's current payload ({@code null} when it holds none) and
	 * returns the new one, or {@code null} to leave the replica as it is. It may run
	 * several times per replica, on reactor threads, and must be fast and free of side
	 * effects. It never sees a tombstone; a merge that is an {@link UpdateObserver} is
	 * told when a replica holds one, and when a replica stored what it merged.
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
		long expiresAt = this.state.expiresAt(ttl);
		return updateAsync(key, merge, (merged) -> expiresAt, ReadStamp.NONE);
	}

	/**
	 * As {@link #update(String, UnaryOperator, Duration)}, with each replica's lifetime
	 * taken from its merged value (an item lives exactly as long as what it holds says;
	 * one already expired is not stored), starting on each replica from what a
	 * {@link #getStamped(String)} read found there ({@link ReadStamp#NONE}: read first).
	 * @param key the key
	 * @param merge computes the new payload from a replica's current one
	 * @param expiresAt when a merged payload expires, epoch milliseconds, 0 for never
	 * @param stamp what a read just found on each replica
	 * @return as {@link #update(String, UnaryOperator, Duration)}
	 */
	public boolean update(String key, UnaryOperator<byte @Nullable []> merge, ToLongFunction<byte[]> expiresAt,
			ReadStamp stamp) {
		return await(updateAsync(key, merge, expiresAt, stamp));
	}

	public CompletableFuture<Boolean> updateAsync(String key, UnaryOperator<byte @Nullable []> merge,
			ToLongFunction<byte[]> expiresAtOf, ReadStamp stamp) {
		String encoded = this.state.keyEncoder.encode(key);
		return conditionally("update", key, encoded, stamp,
				new MergingUpdate(this.state, key, encoded, merge, expiresAtOf));
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
		String encoded = this.state.keyEncoder.encode(key);
		Envelope tombstone = Envelope.tombstone(this.state.versions.next(),
				this.state.expiresAt(this.state.settings.tombstoneTtl()));
		return store("delete", key, encoded, tombstone,
				new StoredValue(Envelope.FLAGS, this.state.encode(encoded, tombstone)));
	}

	/**
	 * Delete a key where it still holds exactly {@code expected}, such as a lease that
	 * must be released only by its holder. Each replica that holds it gets a short-lived
	 * absent marker (one second) instead of a tombstone: it reads as a miss, an
	 * {@code add} may take its place at once, and nothing is left behind for a day.
	 * @param key the key
	 * @param expected the value the caller stored
	 * @return whether the write quorum removed it
	 */
	public boolean deleteIfHolds(String key, byte[] expected) {
		String encoded = this.state.keyEncoder.encode(key);
		return await(conditionally("delete", key, encoded,
				(current) -> (isLive(current) && Arrays.equals(current.payload(), expected))
						? Envelope.absent().withExpiry(this.state.wallClock.getAsLong() + ABSENT_MARKER_MILLIS)
						: null));
	}

	/**
	 * Keys kept on every node, read together with any key in one round trip.
	 * @return the node-wide keys of this engine
	 */
	public NodeWideKeys nodeWide() {
		return this.nodeWide;
	}

	private CompletableFuture<Void> store(String operation, String key, String encoded, Envelope envelope,
			StoredValue stored) {
		return this.state.foregroundSample(this.quorumWrite.store(operation, key, encoded, envelope, stored));
	}

	private CompletableFuture<Boolean> conditionally(String operation, String key, String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> decide) {
		return conditionally(operation, key, encoded, ReadStamp.NONE, decide);
	}

	private CompletableFuture<Boolean> conditionally(String operation, String key, String encoded, ReadStamp stamp,
			Function<@Nullable Envelope, @Nullable Envelope> decide) {
		return this.state
			.foregroundSample(this.quorumWrite.conditionally(this.conditional, operation, key, encoded, stamp, decide));
	}

	private static boolean isLive(@Nullable Envelope envelope) {
		return envelope != null && envelope.isValue();
	}

	// ---- status and lifecycle

	/** The adds of this instance not known to have won; for the tests of this package. */
	UncommittedAdds uncommittedAdds() {
		return this.state.uncommittedAdds;
	}

	/**
	 * A snapshot of every node, in configuration order.
	 * @return the nodes' status
	 */
	public List<NodeStatus> nodeStatus() {
		return this.state.allNodes().stream().map(Node::status).toList();
	}

	/**
	 * Where the refill of every node stands, as this instance sees it, in configuration
	 * order.
	 * @return the nodes' refill status
	 */
	public List<RefillStatus> refillStatus() {
		return this.refill.status();
	}

	/**
	 * What each replica of a key holds now (kind, version, expiry, size; never the
	 * bytes), asked of every replica that is not down, for operators. It repairs nothing
	 * and leaves no hint; a timeout counts toward failure detection as any command's
	 * does.
	 * @param key the key, as given to {@link #get(String)}
	 * @return one entry per replica, in placement order
	 */
	public List<ReplicaEntry> inspect(String key) {
		return await(new ReplicaInspection(this.state).inspect(this.state.keyEncoder.encode(key)));
	}

	/**
	 * Have refill verify a node against its peers now, as after a hint overflow: every
	 * key it should hold compared, the newest version written where it holds nothing or
	 * something older; what it holds otherwise stays. Follow it in
	 * {@link #refillStatus()}.
	 * @param address one of this engine's nodes
	 * @param reason why, for the log
	 * @return {@code false} when the node is down or refill cannot verify (it is off, or
	 * a node cannot list its keys); {@code true} when the run is queued or already is
	 * @throws IllegalArgumentException when the node is not one of this engine's
	 */
	public boolean verify(NodeAddress address, String reason) {
		Membership membership = this.state.membership();
		Node node = membership.node(address);
		if (node == null) {
			throw new IllegalArgumentException(
					"No memcached node " + address + " in this engine; its nodes are " + membership.nodes.keySet());
		}
		if (node.state() == NodeState.DOWN || !this.refill.canVerify()) {
			return false;
		}
		this.refill.verify(node, reason);
		return true;
	}

	/**
	 * Whether enough nodes are up or recovering for every key to reach its write quorum.
	 * @return {@code true} when writes can succeed
	 */
	public boolean isWriteQuorumReachable() {
		Membership membership = this.state.membership();
		long writable = membership.allNodes().stream().filter(Node::isWritable).count();
		int replication = membership.replicationFactor();
		long unwritable = membership.nodes.size() - writable;
		// With a ring, any R-subset may hold a key; the worst case puts every failed node
		// in it.
		return replication - Math.min(unwritable, replication) >= writeQuorum().required(replication);
	}

	/**
	 * The placement keys are written by; during a change of the node set, the new one
	 * (writes also go to the old owners until the change finishes, see
	 * {@link #membership()}).
	 * @return the placement
	 */
	public Placement placement() {
		return this.state.membership().placement;
	}

	/**
	 * Change the node set while serving, for example when discovery resolved a new set.
	 * Returns at once: the joining nodes are connected, then both placements are in force
	 * (writes need a quorum of a key's old and of its new owners, reads ask both) until
	 * every node of the new placement is refilled and the settle period has passed. A set
	 * asked for during a change is started once that change finished. Follow it in
	 * {@link #membership()}.
	 * @param nodes the new node set, in the order that names the placement (as
	 * configured)
	 * @throws IllegalArgumentException when the set is empty, lists a node twice, or is
	 * smaller than the configured replication factor
	 */
	public void updateNodes(List<NodeAddress> nodes) {
		this.assembly.membership.update(nodes);
	}

	/**
	 * Where the node set stands: the placement's nodes, a change in progress and its
	 * phase, the last changes.
	 * @return the status now
	 */
	public MembershipStatus membership() {
		return this.assembly.membership.status();
	}

	/**
	 * The clock this engine issues versions from; a store that versions parts of its
	 * values (the session store) issues theirs from it too, so that they obey the same
	 * causality.
	 * @return the clock
	 */
	public VersionClock versionClock() {
		return this.state.versions;
	}

	/**
	 * Make every key that starts with {@code keyPrefix} combine with {@code merge}
	 * wherever the engine copies entries between replicas (hint replay, read repair,
	 * MAJORITY reads), instead of the newest version winning. The longest matching prefix
	 * decides.
	 * @param keyPrefix an application key prefix (before this engine's own prefix)
	 * @param merge the merge, a join (commutative, associative, idempotent)
	 */
	public void mergeUnder(String keyPrefix, EntryMerge merge) {
		this.state.merges.register(this.state.keyEncoder.prefix() + keyPrefix, merge);
	}

	/**
	 * Undo {@link #mergeUnder(String, EntryMerge)}.
	 * @param keyPrefix the prefix registered
	 */
	public void removeMergeUnder(String keyPrefix) {
		this.state.merges.unregister(this.state.keyEncoder.prefix() + keyPrefix);
	}

	public KeyEncoder keyEncoder() {
		return this.state.keyEncoder;
	}

	public ReadConsistency readConsistency() {
		return this.state.settings.readConsistency();
	}

	/**
	 * Whether this engine signs what it stores and reads only signed entries.
	 * @return whether it was built with a signer
	 */
	public boolean signsEntries() {
		return this.state.signer != null;
	}

	public WriteQuorum writeQuorum() {
		return this.state.settings.writeQuorum();
	}

	public int maxItemSize() {
		return this.state.settings.maxItemSize();
	}

	@Override
	public void close() {
		this.assembly.close();
	}

	@Override
	public String toString() {
		return "ReplicatedMemcached[" + this.state.membership().placement + ", writeQuorum=" + writeQuorum()
				+ ", readConsistency=" + readConsistency() + "]";
	}

	private <T> T await(CompletableFuture<T> future) {
		return Completions.await(future, this.deadline);
	}

	/**
	 * Settings of a {@link ReplicatedMemcached}, with defaults suited to a cache and a
	 * session store: every node a replica, MAJORITY writes, FIRST_HIT reads, 250 ms
	 * operation timeout.
	 */
	public static final class Builder extends EngineOptions<Builder> {

		private Builder() {
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
