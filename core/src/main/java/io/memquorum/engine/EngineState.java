package io.memquorum.engine;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

import io.memquorum.metrics.EngineMetrics;
import io.memquorum.node.ItemLayout;
import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeConnection.StoredValue;
import io.memquorum.node.StoredItem;
import io.memquorum.placement.Placement;
import io.memquorum.refill.LatencyHistogram;
import io.memquorum.signing.EntrySigner;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every piece of the engine shares: the nodes, their placement, the version clock,
 * the metrics, the settings and the maintenance thread, plus the small conversions every
 * path needs (lifetimes, envelope decoding, timing). It holds no behaviour of its own;
 * each behaviour of {@link ReplicatedMemcached} lives in a file named after it and works
 * on this state.
 */
final class EngineState {

	private static final Logger logger = LoggerFactory.getLogger(ReplicatedMemcached.class);

	/** memcached reads expiries above 30 days as absolute Unix times. */
	private static final long MAX_RELATIVE_EXPIRY_SECONDS = 60L * 60 * 24 * 30;

	/** memcached's per-item overhead beyond key and value, rounded up. */
	private static final int ITEM_OVERHEAD = 64;

	/**
	 * The node set and the placements in force, swapped whole when the node set changes
	 * ({@link MembershipChanges}); every operation reads it once, at its start.
	 */
	private volatile Membership membership;

	final KeyEncoder keyEncoder;

	final EngineSettings settings;

	final EngineMetrics metrics;

	final LongSupplier wallClock;

	final VersionClock versions;

	/** How entries of a key combine when copied between replicas. */
	final MergeRules merges = new MergeRules();

	/**
	 * One thread for probes, hint replay, reconnection, command timeouts and
	 * compare-and-swap back-off: all of it only starts asynchronous work, so none of it
	 * waits on another, and no engine work lands on the common ForkJoin pool.
	 */
	final ScheduledExecutorService maintenance;

	/** Signs what is stored and verifies what is read; null without signing keys. */
	final @Nullable EntrySigner signer;

	/**
	 * The latencies of a sample of the application's reads and writes
	 * ({@link #foregroundSample}), which a refill paces itself by.
	 */
	final LatencyHistogram foreground = new LatencyHistogram();

	/** Adds not known to have won, whose values no copy may spread. */
	final UncommittedAdds uncommittedAdds;

	/** How envelopes split as they arrive, so that a read never copies a payload. */
	final ItemLayout itemLayout;

	EngineState(Placement placement, Map<NodeAddress, Node> nodes, KeyEncoder keyEncoder, EngineSettings settings,
			EngineMetrics metrics, LongSupplier wallClock, ScheduledExecutorService maintenance,
			@Nullable EntrySigner signer) {
		this.signer = signer;
		this.membership = new Membership(nodes, placement, null);
		this.keyEncoder = keyEncoder;
		this.settings = settings;
		this.metrics = metrics;
		this.wallClock = wallClock;
		this.versions = new VersionClock(wallClock);
		this.maintenance = maintenance;
		this.uncommittedAdds = new UncommittedAdds(maintenance);
		this.itemLayout = Envelope.layout(signer);
	}

	/**
	 * The current view of the node set; an operation takes it once and keeps it.
	 * @return the view
	 */
	Membership membership() {
		return this.membership;
	}

	/** Swap in a new view; only {@link MembershipChanges} does, one change at a time. */
	void membership(Membership membership) {
		this.membership = membership;
	}

	@Nullable Node node(NodeAddress address) {
		return this.membership.node(address);
	}

	Collection<Node> allNodes() {
		return this.membership.allNodes();
	}

	/**
	 * The replicas of a key in the current view: its owners, then during a change the old
	 * owners the new placement dropped.
	 * @param encoded the memcached key
	 * @return its nodes
	 */
	List<Node> replicas(String encoded) {
		return this.membership.replicas(encoded);
	}

	int replicationFactor() {
		return this.membership.replicationFactor();
	}

	long expiresAt(Duration ttl) {
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
	int expiry(Envelope envelope) {
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

	/**
	 * The bytes to store for an envelope, once checked against the item size limit.
	 * @throws ValueTooLargeException when memcached would refuse the item
	 */
	StoredValue storable(String key, String encoded, Envelope envelope) {
		byte[] bytes = encode(encoded, envelope);
		int size = bytes.length + encoded.length() + ITEM_OVERHEAD;
		if (size > this.settings.maxItemSize()) {
			throw new ValueTooLargeException(key, size, this.settings.maxItemSize());
		}
		return new StoredValue(Envelope.FLAGS, bytes);
	}

	/**
	 * The bytes to store for an envelope under a key: signed when the engine has signing
	 * keys.
	 */
	byte[] encode(String encoded, Envelope envelope) {
		return (this.signer != null) ? envelope.encodeSigned(encoded, this.signer) : envelope.encode();
	}

	/**
	 * Read what a node returned for a key; bytes that are not an envelope this engine
	 * accepts (foreign, corrupt, unsigned or wrongly signed) are counted with the reason
	 * and read as nothing.
	 */
	@Nullable Envelope decode(Node node, String encoded, StoredItem item) {
		Envelope.Reading reading = Envelope.read(item, encoded, this.signer);
		Envelope envelope = reading.envelope();
		Envelope.Unreadable unreadable = reading.unreadable();
		if (envelope != null) {
			// Every version read moves the clock past it: a write is always newer than
			// what its writer saw, whatever the other instances' clocks say.
			this.versions.observe(envelope.version());
		}
		else if (unreadable != null) {
			this.metrics.unreadableValue(node.address, unreadable.tag());
			logger.debug("Unreadable bytes under a key on {} ({} bytes, flags {}, {}); treated as a miss", node.address,
					item.length(), item.flags(), unreadable.tag());
		}
		return envelope;
	}

	/**
	 * Read one key's item from one node, split as envelopes are ({@link #itemLayout}):
	 * the payload is never copied. Reads queued on a connection at the same moment go out
	 * as one multi-key gets (the connection's {@code SplitGetsMerging}).
	 * @param node the node
	 * @param encoded the memcached key
	 * @return the item, or {@code null} on a miss
	 */
	CompletableFuture<@Nullable StoredItem> read(Node node, String encoded) {
		return node.connection().gets(encoded, this.itemLayout);
	}

	/**
	 * Read two keys from one node in one request, split as {@link #read} does.
	 * @param node the node
	 * @param first the first memcached key
	 * @param second the second memcached key
	 * @return both items, {@code null} for a miss
	 */
	CompletableFuture<@Nullable StoredItem[]> readTogether(Node node, String first, String second) {
		return node.connection().getsTogether(first, second, this.itemLayout);
	}

	/**
	 * What one reply says: the envelope, or {@code null} for a miss, an unreadable item
	 * or an absent marker.
	 */
	@Nullable Envelope liveOrTombstone(Node node, String encoded, @Nullable StoredItem item) {
		if (item == null) {
			return null;
		}
		Envelope envelope = decode(node, encoded, item);
		return (envelope != null && envelope.kind() != Envelope.Kind.ABSENT) ? envelope : null;
	}

	<T> CompletableFuture<T> timed(Node node, String operation, CompletableFuture<T> future) {
		if (this.metrics == EngineMetrics.none()) {
			// Every command passes here: without a registry, add no stage and read no
			// clock.
			return future;
		}
		long start = System.nanoTime();
		return future.whenComplete((value, failure) -> this.metrics.nodeOperation(node.address, operation,
				System.nanoTime() - start, failure == null));
	}

	/**
	 * Time a sample of the application's reads and writes, whole (every replica they wait
	 * for, a miss that moves on to the next replica), for refill's pace: one in
	 * {@link LatencyHistogram#SAMPLE_EVERY}, so that most operations read no clock and
	 * add no stage.
	 * @param future the operation
	 * @return {@code future} itself
	 */
	<T> CompletableFuture<T> foregroundSample(CompletableFuture<T> future) {
		if (LatencyHistogram.sampled()) {
			long start = System.nanoTime();
			future.whenComplete((value, failure) -> this.foreground.record(System.nanoTime() - start));
		}
		return future;
	}

	void recordFailure(Node node, Throwable failure) {
		node.recordFailure(failure, this.settings.probeInterval());
	}

	/**
	 * A read walking the replicas moves past a node that failed: the failure counts
	 * toward the node's failure detection and is kept for the walk's error message.
	 * @param node the node
	 * @param failure what the command completed with
	 * @param failures the walk's failures, by node
	 */
	void failedOver(Node node, Throwable failure, Map<NodeAddress, String> failures) {
		Throwable cause = Completions.unwrap(failure);
		recordFailure(node, cause);
		failures.put(node.address, cause.getMessage());
		this.metrics.failover(node.address);
	}

	/**
	 * Send one write to each of {@code nodes} at once and report every reply: a node
	 * marked down fails at once without a round trip, and a failure counts toward the
	 * node's failure detection.
	 */
	void sendToEach(List<Node> nodes, String operation, Function<Node, CompletableFuture<@Nullable Envelope>> perNode,
			WriteReplies replies) {
		for (Node node : nodes) {
			if (!node.isWritable()) {
				replies.failed(node, node.address + " is marked down");
				continue;
			}
			CompletableFuture<@Nullable Envelope> sent;
			try {
				sent = timed(node, operation, perNode.apply(node));
			}
			catch (RuntimeException ex) {
				sent = CompletableFuture.failedFuture(ex);
			}
			sent.whenComplete((stored, failure) -> {
				if (failure != null) {
					Throwable cause = Completions.unwrap(failure);
					recordFailure(node, cause);
					replies.failed(node, cause.getMessage());
				}
				else {
					node.recordSuccess();
					replies.answered(node, stored);
				}
			});
		}
	}

	/**
	 * Read one key from each of {@code nodes} at once and report every reply; a failure
	 * counts toward the node's failure detection.
	 */
	void readEach(List<Node> nodes, String encoded, BiConsumer<Node, @Nullable String> failed,
			BiConsumer<Node, @Nullable StoredItem> answered) {
		readEach(nodes, encoded, ReadStamp.NONE, failed, answered);
	}

	/**
	 * As {@link #readEach(List, String, BiConsumer, BiConsumer)}, telling the stamp of
	 * each read while it is on its way, so that a write right after the read can wait for
	 * it rather than read again.
	 */
	void readEach(List<Node> nodes, String encoded, ReadStamp stamp, BiConsumer<Node, @Nullable String> failed,
			BiConsumer<Node, @Nullable StoredItem> answered) {
		for (Node node : nodes) {
			CompletableFuture<@Nullable StoredItem> read = read(node, encoded);
			stamp.reading(node.address, read);
			timed(node, "get", read).whenComplete((item, failure) -> {
				if (failure != null) {
					Throwable cause = Completions.unwrap(failure);
					recordFailure(node, cause);
					failed.accept(node, cause.getMessage());
				}
				else {
					node.recordSuccess();
					answered.accept(node, item);
				}
			});
		}
	}

}
