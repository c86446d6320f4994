package io.memquorum.engine;

import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

import io.memquorum.metrics.EngineMetrics;
import io.memquorum.node.HostLookup;
import io.memquorum.node.NodeCredentials;
import io.memquorum.refill.RefillOptions;
import io.memquorum.signing.EntrySigner;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a {@link ReplicatedMemcached}, with defaults suited to a cache and a
 * session store; the public face is {@link ReplicatedMemcached.Builder}.
 *
 * @param <B> the builder type, returned by every setter
 */
abstract class EngineOptions<B extends EngineOptions<B>> {

	List<String> servers = List.of();

	@Nullable Integer replicationFactor;

	private WriteQuorum writeQuorum = WriteQuorum.MAJORITY;

	private ReadConsistency readConsistency = ReadConsistency.FIRST_HIT;

	private Duration operationTimeout = Duration.ofMillis(250);

	private Duration connectTimeout = Duration.ofSeconds(1);

	private Duration reconnectInterval = Duration.ofMillis(500);

	private Duration reconnectGrace = Duration.ofSeconds(3);

	Duration membershipSettle = Duration.ofSeconds(30);

	@Nullable Duration nodeSetInterval;

	private @Nullable Duration dnsCacheTtl = Duration.ofSeconds(5);

	private int failureThreshold = 3;

	private Duration probeInterval = Duration.ofMillis(100);

	private Duration maxProbeInterval = Duration.ofSeconds(2);

	private Duration restartCheckInterval = Duration.ofSeconds(1);

	String keyPrefix = "";

	private int maxItemSize = 1024 * 1024;

	private int hintCapacity = 10_000;

	/**
	 * A sixteenth of the heap, at most 64 MB: hints of one node never take much of it.
	 */
	private long hintBytes = Math.min(64L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 16);

	private Duration tombstoneTtl = Duration.ofHours(24);

	EngineMetrics metrics = EngineMetrics.none();

	@Nullable EntrySigner signer;

	@Nullable NodeCredentials credentials;

	@Nullable HostLookup hostLookup;

	private boolean refillEnabled = RefillOptions.DEFAULTS.enabled();

	private long refillEntriesPerSecond = RefillOptions.DEFAULTS.entriesPerSecond();

	private long refillBytesPerSecond = RefillOptions.DEFAULTS.bytesPerSecond();

	private Duration refillCheckInterval = RefillOptions.DEFAULTS.checkInterval();

	private Duration refillLeaseTtl = RefillOptions.DEFAULTS.leaseTtl();

	// Like hint-bytes: an application with a small heap must not spend it on a refill.
	private long refillHeapLimit = Math.max(RefillOptions.MIN_HEAP_LIMIT,
			Math.min(RefillOptions.DEFAULTS.heapLimit(), Runtime.getRuntime().maxMemory() / 16));

	private boolean refillAdaptive = RefillOptions.DEFAULTS.adaptive();

	private double refillLatencyFactor = RefillOptions.DEFAULTS.latencyFactor();

	LongSupplier wallClock = System::currentTimeMillis;

	/**
	 * The memcached nodes, each {@code host:port}.
	 * @param servers the nodes
	 * @return this builder
	 */
	public B servers(List<String> servers) {
		this.servers = List.copyOf(servers);
		return self();
	}

	/**
	 * Where nodes named by a host name are reached now (discovery's latest answer for a
	 * StatefulSet pod's name); {@code null}, the default, lets the JVM resolve names.
	 * @param hostLookup the lookup
	 * @return this builder
	 */
	public B hostLookup(@Nullable HostLookup hostLookup) {
		this.hostLookup = hostLookup;
		return self();
	}

	public B servers(String... servers) {
		return servers(List.of(servers));
	}

	/**
	 * Replicas per key; {@code null} (the default) means every node.
	 * @param replicationFactor between 1 and the node count
	 * @return this builder
	 */
	public B replicationFactor(@Nullable Integer replicationFactor) {
		this.replicationFactor = replicationFactor;
		return self();
	}

	public B writeQuorum(WriteQuorum writeQuorum) {
		this.writeQuorum = writeQuorum;
		return self();
	}

	public B readConsistency(ReadConsistency readConsistency) {
		this.readConsistency = readConsistency;
		return self();
	}

	public B operationTimeout(Duration operationTimeout) {
		this.operationTimeout = positive("operationTimeout", operationTimeout);
		return self();
	}

	public B connectTimeout(Duration connectTimeout) {
		this.connectTimeout = positive("connectTimeout", connectTimeout);
		return self();
	}

	public B reconnectInterval(Duration reconnectInterval) {
		this.reconnectInterval = positive("reconnectInterval", reconnectInterval);
		return self();
	}

	/**
	 * How long a node stays marked down before its connection is closed and reopened, its
	 * host name resolved again; repeated every period while it stays down.
	 * @param reconnectGrace the grace
	 * @return this builder
	 */
	public B reconnectGrace(Duration reconnectGrace) {
		this.reconnectGrace = positive("reconnectGrace", reconnectGrace);
		return self();
	}

	/**
	 * How long this JVM may remember a successful host name lookup, applied when the
	 * engine is built unless the JVM already has a setting (see
	 * {@link io.memquorum.node.JvmDnsCache}); {@code null} leaves the JVM's own (30 s).
	 * @param dnsCacheTtl the lifetime, or {@code null}
	 * @return this builder
	 */
	public B dnsCacheTtl(@Nullable Duration dnsCacheTtl) {
		this.dnsCacheTtl = (dnsCacheTtl != null) ? positive("dnsCacheTtl", dnsCacheTtl) : null;
		return self();
	}

	@Nullable Duration dnsCacheTtl() {
		return this.dnsCacheTtl;
	}

	/**
	 * How long a change of the node set keeps both placements at least
	 * ({@link ReplicatedMemcached#updateNodes}): long enough for every other application
	 * instance to see the change too (a few discovery intervals), so that none still
	 * writes to the old owners only when this one stops reading them.
	 * @param membershipSettle the settle period
	 * @return this builder
	 */
	/**
	 * Publish this instance's node set on every node every {@code interval}, and read the
	 * sets other instances publish: while a live instance publishes a different set
	 * (another static list during a rolling update of the application, or DNS answers
	 * that differ for a while), both placements stay in force. A record lives three
	 * intervals. {@code null} (the default) publishes nothing.
	 * @param interval how often to publish and read, or {@code null}
	 * @return this builder
	 */
	public B nodeSetRecords(@Nullable Duration interval) {
		this.nodeSetInterval = (interval != null) ? positive("nodeSetRecords", interval) : null;
		return self();
	}

	public B membershipSettle(Duration membershipSettle) {
		this.membershipSettle = positive("membershipSettle", membershipSettle);
		return self();
	}

	/**
	 * Consecutive failure events (timeouts of one scan count once) or connection failures
	 * before a node is marked down.
	 * @param failureThreshold at least 1
	 * @return this builder
	 */
	public B failureThreshold(int failureThreshold) {
		if (failureThreshold < 1) {
			throw new IllegalArgumentException("failureThreshold must be at least 1, got " + failureThreshold);
		}
		this.failureThreshold = failureThreshold;
		return self();
	}

	/**
	 * The first delay before probing a node marked down; it doubles after each failed
	 * probe up to {@link #maxProbeInterval(Duration)}.
	 * @param probeInterval the first delay
	 * @return this builder
	 */
	public B probeInterval(Duration probeInterval) {
		this.probeInterval = positive("probeInterval", probeInterval);
		return self();
	}

	public B maxProbeInterval(Duration maxProbeInterval) {
		this.maxProbeInterval = positive("maxProbeInterval", maxProbeInterval);
		return self();
	}

	/**
	 * How often nodes that are up are asked for their process id and uptime, to notice a
	 * restart that was too quick to mark them down.
	 * @param restartCheckInterval the interval
	 * @return this builder
	 */
	public B restartCheckInterval(Duration restartCheckInterval) {
		this.restartCheckInterval = positive("restartCheckInterval", restartCheckInterval);
		return self();
	}

	public B keyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
		return self();
	}

	/**
	 * The largest item memcached accepts, which is its {@code -I} option (1 MB by
	 * default). Larger values are rejected before anything is written.
	 * @param maxItemSize the limit in bytes
	 * @return this builder
	 */
	public B maxItemSize(int maxItemSize) {
		if (maxItemSize < 1024) {
			throw new IllegalArgumentException("maxItemSize must be at least 1024 bytes, got " + maxItemSize);
		}
		this.maxItemSize = maxItemSize;
		return self();
	}

	/**
	 * Missed writes remembered per node. A node that missed more serves no reads until
	 * refill verified it against its peers (it is flushed when refill is off or cannot
	 * list a node's keys).
	 * @param hintCapacity at least 1
	 * @return this builder
	 */
	public B hintCapacity(int hintCapacity) {
		if (hintCapacity < 1) {
			throw new IllegalArgumentException("hintCapacity must be at least 1, got " + hintCapacity);
		}
		this.hintCapacity = hintCapacity;
		return self();
	}

	/**
	 * Bytes of missed writes remembered per node, beyond which a node is treated as for
	 * {@link #hintCapacity}; each hint holds a whole value, so a key count alone does not
	 * bound memory. By default a sixteenth of the maximum heap, at most 64 MB.
	 * @param hintBytes at least 1 KB
	 * @return this builder
	 */
	public B hintBytes(long hintBytes) {
		if (hintBytes < 1024) {
			throw new IllegalArgumentException("hintBytes must be at least 1024, got " + hintBytes);
		}
		this.hintBytes = hintBytes;
		return self();
	}

	public B tombstoneTtl(Duration tombstoneTtl) {
		this.tombstoneTtl = positive("tombstoneTtl", tombstoneTtl);
		return self();
	}

	/**
	 * The wall clock versions and lifetimes follow; tests use it to run instances whose
	 * clocks disagree.
	 * @param wallClock epoch milliseconds
	 * @return this builder
	 */
	public B wallClock(LongSupplier wallClock) {
		if (wallClock == null) {
			throw new IllegalArgumentException("wallClock must not be null");
		}
		this.wallClock = wallClock;
		return self();
	}

	/**
	 * Sign every stored entry (values, tombstones, markers) with an HMAC over its
	 * memcached key and bytes, and read only entries whose signature verifies; others
	 * read as misses and are counted under {@code memquorum.values.unreadable} with the
	 * reason. Every application instance sharing the data needs the same keys. Default:
	 * none, entries are unsigned.
	 * @param signer the signer built from the signing keys, or {@code null} for none
	 * @return this builder
	 */
	public B signer(@Nullable EntrySigner signer) {
		this.signer = signer;
		return self();
	}

	/**
	 * The username and password memcached started with {@code -Y} requires; sent on every
	 * new connection before any other command. A node that refuses them at startup fails
	 * the build with a {@link io.memquorum.node.NodeAuthenticationException}. Default:
	 * none.
	 * @param credentials the credentials, or {@code null} for none
	 * @return this builder
	 */
	public B credentials(@Nullable NodeCredentials credentials) {
		this.credentials = credentials;
		return self();
	}

	public B metrics(EngineMetrics metrics) {
		this.metrics = metrics;
		return self();
	}

	/**
	 * Whether nodes found restarted, replaced, flushed or new, and nodes whose replicas
	 * changed with the node list, are copied back from their peers (on by default; see
	 * {@link io.memquorum.refill.Refill}).
	 * @param enabled whether to refill
	 * @return this builder
	 */
	public B refillEnabled(boolean enabled) {
		this.refillEnabled = enabled;
		return self();
	}

	/**
	 * The most entries this instance copies per second during a refill (200,000 by
	 * default). With {@link #refillAdaptive adaptive} pacing (the default) the rate
	 * follows the foreground latency up to this; without, refill copies at this rate.
	 * @param entriesPerSecond at least 1
	 * @return this builder
	 */
	public B refillEntriesPerSecond(long entriesPerSecond) {
		if (entriesPerSecond < 1) {
			throw new IllegalArgumentException("refillEntriesPerSecond must be at least 1, got " + entriesPerSecond);
		}
		this.refillEntriesPerSecond = entriesPerSecond;
		return self();
	}

	/**
	 * The most bytes, as memcached sizes the items, this instance copies per second
	 * during a refill (256 MB by default), with adaptive pacing or without.
	 * @param bytesPerSecond at least 1
	 * @return this builder
	 */
	public B refillBytesPerSecond(long bytesPerSecond) {
		if (bytesPerSecond < 1) {
			throw new IllegalArgumentException("refillBytesPerSecond must be at least 1, got " + bytesPerSecond);
		}
		this.refillBytesPerSecond = bytesPerSecond;
		return self();
	}

	/**
	 * How often every node is asked for its completeness marker (5 s by default). A node
	 * found restarted or flushed is checked at once.
	 * @param checkInterval the interval
	 * @return this builder
	 */
	public B refillCheckInterval(Duration checkInterval) {
		this.refillCheckInterval = positive("refillCheckInterval", checkInterval);
		return self();
	}

	/**
	 * How long a refill lease outlives its holder's last renewal (30 s by default):
	 * another instance takes a refill over this long after its copier died. It is renewed
	 * every third of it while the refill runs, however long its key listings take.
	 * @param leaseTtl at least 2 s
	 * @return this builder
	 */
	public B refillLeaseTtl(Duration leaseTtl) {
		if (leaseTtl.compareTo(RefillOptions.MIN_LEASE_TTL) < 0) {
			throw new IllegalArgumentException("refillLeaseTtl must be at least 2 s (memcached counts lifetimes in "
					+ "whole seconds and may end one a second early), got " + leaseTtl);
		}
		this.refillLeaseTtl = leaseTtl;
		return self();
	}

	/**
	 * The most heap one refill takes in this instance, whatever the size of the node (64
	 * MB by default): half for the keys already copied (a 64-bit hash each, 11 to 32
	 * bytes), the rest for the batch being copied. A node with more keys than fit is
	 * still refilled completely; keys beyond the limit are merely read again when a
	 * second listing carries them.
	 * @param bytes at least 1 MB
	 * @return this builder
	 */
	public B refillHeapLimit(long bytes) {
		if (bytes < RefillOptions.MIN_HEAP_LIMIT) {
			throw new IllegalArgumentException("refillHeapLimit must be at least 1 MB, got " + bytes + " bytes");
		}
		this.refillHeapLimit = bytes;
		return self();
	}

	/**
	 * Whether a refill paces itself from the foreground latency it causes (on by
	 * default): it speeds up while the foreground p99 stays within
	 * {@link #refillLatencyFactor} times its value before the refill, and slows down when
	 * it does not, between 1,000 entries per second and {@link #refillEntriesPerSecond}.
	 * Off, refill copies at {@link #refillEntriesPerSecond}.
	 * @param adaptive whether to pace from the foreground latency
	 * @return this builder
	 */
	public B refillAdaptive(boolean adaptive) {
		this.refillAdaptive = adaptive;
		return self();
	}

	/**
	 * With adaptive pacing, how many times its value before the refill the foreground p99
	 * may reach while a refill runs (2 by default).
	 * @param latencyFactor more than 1
	 * @return this builder
	 */
	public B refillLatencyFactor(double latencyFactor) {
		if (!(latencyFactor > 1) || Double.isInfinite(latencyFactor)) {
			throw new IllegalArgumentException("refillLatencyFactor must be more than 1, got " + latencyFactor);
		}
		this.refillLatencyFactor = latencyFactor;
		return self();
	}

	RefillOptions refillOptions() {
		return new RefillOptions(this.refillEnabled, this.refillEntriesPerSecond, this.refillBytesPerSecond,
				this.refillCheckInterval, this.refillLeaseTtl, RefillOptions.DEFAULTS.listingTimeout(),
				this.refillHeapLimit, this.refillAdaptive, this.refillLatencyFactor);
	}

	private static Duration positive(String name, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(name + " must be positive, got " + value);
		}
		return value;
	}

	EngineSettings settings() {
		return new EngineSettings(this.writeQuorum, this.readConsistency, this.operationTimeout, this.connectTimeout,
				this.reconnectInterval, this.reconnectGrace, this.failureThreshold, this.probeInterval,
				this.maxProbeInterval, this.restartCheckInterval, this.maxItemSize, this.hintCapacity, this.hintBytes,
				this.tombstoneTtl);
	}

	@SuppressWarnings("unchecked")
	private B self() {
		return (B) this;
	}

}
