package io.memquorum.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.WriteQuorum;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the replication engine: the memcached nodes, how many of them hold
 * each key, how many must acknowledge a write, and how failures are detected.
 */
@ConfigurationProperties("memquorum")
public class MemquorumProperties {

	/**
	 * The memcached nodes, comma-separated, each host:port (an IPv6 host in brackets),
	 * dns+name:port (every address the name resolves to, on that port) or dnssrv+name
	 * (the targets and ports of the name's SRV records, kept by name, for a StatefulSet's
	 * headless Service). DNS entries are resolved again every discovery.interval; a
	 * change of the resolved set is logged and shown in health, and takes effect at the
	 * next restart. Setting it turns memquorum on.
	 */
	private List<String> servers = new ArrayList<>();

	/**
	 * How many nodes hold each key, between 1 and the number of servers. Unset means
	 * every node holds every key.
	 */
	private @Nullable Integer replicationFactor;

	/**
	 * How many replicas must acknowledge a write: one, majority or all.
	 */
	private WriteQuorum writeQuorum = WriteQuorum.MAJORITY;

	/**
	 * How reads pick replicas: first-hit asks one at a time in random order until one
	 * answers; majority asks all and returns the newest of a majority of answers.
	 */
	private ReadConsistency readConsistency = ReadConsistency.FIRST_HIT;

	/**
	 * How long one command to one node may take before it counts as a failure.
	 */
	private Duration operationTimeout = Duration.ofMillis(250);

	/**
	 * How long opening a connection to a node may take.
	 */
	private Duration connectTimeout = Duration.ofSeconds(1);

	/**
	 * How long to wait before reopening a lost connection.
	 */
	private Duration reconnectInterval = Duration.ofMillis(500);

	/**
	 * How long a node stays marked down before its connection is closed and reopened, its
	 * host name resolved again, so that a frozen process or a node rescheduled at a new
	 * address under the same name is reached. Repeated while it stays down.
	 */
	private Duration reconnectGrace = Duration.ofSeconds(3);

	/**
	 * How long this JVM may remember a successful host name lookup (its
	 * networkaddress.cache.ttl, 30 s by default), applied at startup unless the JVM
	 * already has a setting. An empty value keeps 5 seconds; to keep the JVM's own
	 * lifetime, give the JVM a setting of its own, which always wins.
	 */
	private @Nullable Duration dnsCacheTtl = Duration.ofSeconds(5);

	/**
	 * Consecutive failure events (the timeouts of one stall count once) or connection
	 * failures after which a node is marked down.
	 */
	private int failureThreshold = 3;

	/**
	 * The first delay before probing a node marked down; it doubles after each failed
	 * probe up to max-probe-interval.
	 */
	private Duration probeInterval = Duration.ofMillis(100);

	/**
	 * The longest delay between two probes of a node marked down.
	 */
	private Duration maxProbeInterval = Duration.ofSeconds(2);

	/**
	 * How often nodes that are up are checked for a restart (a new process id or start
	 * time) that was too quick to be noticed as a failure.
	 */
	private Duration restartCheckInterval = Duration.ofSeconds(1);

	/**
	 * Prepended to every memcached key written by this application, for example to share
	 * nodes between applications. Printable ASCII without spaces, at most 100 characters.
	 */
	private String keyPrefix = "";

	/**
	 * The largest item memcached accepts: its -I option. Larger values are rejected
	 * before anything is written.
	 */
	private DataSize maxItemSize = DataSize.ofMegabytes(1);

	/**
	 * Missed writes remembered per node, to replay when it returns. A node that missed
	 * more serves no reads until refill verified it against its peers (it is flushed
	 * instead when refill is off or cannot list a node's keys).
	 */
	private int hintCapacity = 10_000;

	/**
	 * Bytes of missed writes remembered per node; a node that missed more serves no reads
	 * until refill verified it against its peers (it is flushed instead when refill is
	 * off). Unset means a sixteenth of the maximum heap, at most 64MB.
	 */
	private @Nullable DataSize hintBytes;

	/**
	 * How long a delete's tombstone is kept, shadowing replicas that missed the delete.
	 */
	private Duration tombstoneTtl = Duration.ofHours(24);

	/**
	 * The user memcached asks for when started with -Y (an auth file); sent with
	 * memquorum.password on every new connection before any other command. Unset means
	 * the nodes accept every connection.
	 */
	private @Nullable String username;

	/**
	 * The password of memquorum.username. Unset means the nodes accept every connection.
	 */
	private @Nullable String password;

	/**
	 * Signing of what is stored in memcached.
	 */
	private final Signing signing = new Signing();

	/**
	 * Copying restarted, replaced, flushed and new nodes back from their peers.
	 */
	private final Refill refill = new Refill();

	/**
	 * Resolving dns+ and dnssrv+ server entries.
	 */
	private final Discovery discovery = new Discovery();

	public Discovery getDiscovery() {
		return this.discovery;
	}

	public List<String> getServers() {
		return this.servers;
	}

	public void setServers(List<String> servers) {
		this.servers = servers;
	}

	public @Nullable Integer getReplicationFactor() {
		return this.replicationFactor;
	}

	public void setReplicationFactor(@Nullable Integer replicationFactor) {
		this.replicationFactor = replicationFactor;
	}

	public WriteQuorum getWriteQuorum() {
		return this.writeQuorum;
	}

	public void setWriteQuorum(WriteQuorum writeQuorum) {
		this.writeQuorum = writeQuorum;
	}

	public ReadConsistency getReadConsistency() {
		return this.readConsistency;
	}

	public void setReadConsistency(ReadConsistency readConsistency) {
		this.readConsistency = readConsistency;
	}

	public Duration getOperationTimeout() {
		return this.operationTimeout;
	}

	public void setOperationTimeout(Duration operationTimeout) {
		this.operationTimeout = operationTimeout;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public Duration getReconnectInterval() {
		return this.reconnectInterval;
	}

	public void setReconnectInterval(Duration reconnectInterval) {
		this.reconnectInterval = reconnectInterval;
	}

	public int getFailureThreshold() {
		return this.failureThreshold;
	}

	public void setFailureThreshold(int failureThreshold) {
		this.failureThreshold = failureThreshold;
	}

	public Duration getProbeInterval() {
		return this.probeInterval;
	}

	public void setProbeInterval(Duration probeInterval) {
		this.probeInterval = probeInterval;
	}

	public Duration getMaxProbeInterval() {
		return this.maxProbeInterval;
	}

	public void setMaxProbeInterval(Duration maxProbeInterval) {
		this.maxProbeInterval = maxProbeInterval;
	}

	public Duration getRestartCheckInterval() {
		return this.restartCheckInterval;
	}

	public void setRestartCheckInterval(Duration restartCheckInterval) {
		this.restartCheckInterval = restartCheckInterval;
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public DataSize getMaxItemSize() {
		return this.maxItemSize;
	}

	public void setMaxItemSize(DataSize maxItemSize) {
		this.maxItemSize = maxItemSize;
	}

	public Duration getReconnectGrace() {
		return this.reconnectGrace;
	}

	public void setReconnectGrace(Duration reconnectGrace) {
		this.reconnectGrace = reconnectGrace;
	}

	public @Nullable Duration getDnsCacheTtl() {
		return this.dnsCacheTtl;
	}

	public void setDnsCacheTtl(@Nullable Duration dnsCacheTtl) {
		this.dnsCacheTtl = dnsCacheTtl;
	}

	public @Nullable DataSize getHintBytes() {
		return this.hintBytes;
	}

	public void setHintBytes(@Nullable DataSize hintBytes) {
		this.hintBytes = hintBytes;
	}

	public int getHintCapacity() {
		return this.hintCapacity;
	}

	public void setHintCapacity(int hintCapacity) {
		this.hintCapacity = hintCapacity;
	}

	public Duration getTombstoneTtl() {
		return this.tombstoneTtl;
	}

	public void setTombstoneTtl(Duration tombstoneTtl) {
		this.tombstoneTtl = tombstoneTtl;
	}

	public @Nullable String getUsername() {
		return this.username;
	}

	public void setUsername(@Nullable String username) {
		this.username = username;
	}

	public @Nullable String getPassword() {
		return this.password;
	}

	public void setPassword(@Nullable String password) {
		this.password = password;
	}

	public Signing getSigning() {
		return this.signing;
	}

	/**
	 * Signing of stored entries.
	 */
	public static class Signing {

		/**
		 * Secrets, base64, at least 32 bytes each (for example from openssl rand -base64
		 * 32). When set, every entry stored in memcached carries an HMAC over its key and
		 * bytes, and entries that do not verify read as misses. The first key signs; all
		 * of them verify, so a key is rotated by deploying [new, old] and then, once
		 * every instance has run it for twice the longest session timeout, [new]. Every
		 * instance sharing the data needs the same keys. Unset means entries are unsigned
		 * and anyone who can write to memcached can forge them.
		 */
		private List<String> keys = new ArrayList<>();

		public List<String> getKeys() {
			return this.keys;
		}

		public void setKeys(List<String> keys) {
			this.keys = keys;
		}

	}

	public Refill getRefill() {
		return this.refill;
	}

	/**
	 * How nodes that lost their contents are refilled from their peers.
	 */
	public static class Refill {

		/**
		 * Whether nodes found restarted, replaced, flushed or new, and nodes whose
		 * replicas changed with the node list, are copied back from their peers. Needs
		 * memcached's LRU crawler (on unless memcached runs with -o no_lru_crawler).
		 */
		private boolean enabled = true;

		/**
		 * The most entries one application instance copies per second during a refill.
		 * With adaptive pacing the rate follows the foreground latency up to this;
		 * without, refill copies at this rate.
		 */
		private long entriesPerSecond = 200_000;

		/**
		 * The most data one application instance copies per second during a refill, as
		 * memcached sizes the items, with adaptive pacing or without.
		 */
		private DataSize bytesPerSecond = DataSize.ofMegabytes(256);

		/**
		 * Whether a refill paces itself from the foreground latency it causes: it speeds
		 * up while the p99 of the application's reads and writes stays within
		 * latency-factor times its value before the refill, and slows down when it does
		 * not, between 1,000 entries per second and entries-per-second. When false,
		 * refill copies at entries-per-second.
		 */
		private boolean adaptive = true;

		/**
		 * With adaptive pacing, how many times its value before the refill the p99 of the
		 * application's reads and writes may reach while a refill runs. More than 1.
		 */
		private double latencyFactor = 2.0;

		/**
		 * How often every node is asked for its completeness marker. A node found
		 * restarted or flushed is checked at once.
		 */
		private Duration checkInterval = Duration.ofSeconds(5);

		/**
		 * How long a refill lease outlives its holder's last renewal: when the
		 * application instance that refills a node dies, another takes over after this
		 * long. It is renewed every third of it while the refill runs, however long the
		 * key listings take. Whole seconds, at least 2 s.
		 */
		private Duration leaseTtl = Duration.ofSeconds(30);

		/**
		 * The most heap one refill takes in one application instance, whatever the size
		 * of the node refilled: half for the keys already copied (a 64-bit hash each, 11
		 * to 32 bytes), the rest for the batch being copied. A node with more keys than
		 * fit is still refilled completely; keys beyond the limit are merely read again
		 * when a second listing carries them. At least 1MB. Unset means a sixteenth of
		 * the maximum heap, at least 1MB and at most 64MB.
		 */
		private @Nullable DataSize heapLimit;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public long getEntriesPerSecond() {
			return this.entriesPerSecond;
		}

		public void setEntriesPerSecond(long entriesPerSecond) {
			this.entriesPerSecond = entriesPerSecond;
		}

		public DataSize getBytesPerSecond() {
			return this.bytesPerSecond;
		}

		public void setBytesPerSecond(DataSize bytesPerSecond) {
			this.bytesPerSecond = bytesPerSecond;
		}

		public boolean isAdaptive() {
			return this.adaptive;
		}

		public void setAdaptive(boolean adaptive) {
			this.adaptive = adaptive;
		}

		public double getLatencyFactor() {
			return this.latencyFactor;
		}

		public void setLatencyFactor(double latencyFactor) {
			this.latencyFactor = latencyFactor;
		}

		public Duration getCheckInterval() {
			return this.checkInterval;
		}

		public void setCheckInterval(Duration checkInterval) {
			this.checkInterval = checkInterval;
		}

		public Duration getLeaseTtl() {
			return this.leaseTtl;
		}

		public void setLeaseTtl(Duration leaseTtl) {
			this.leaseTtl = leaseTtl;
		}

		public @Nullable DataSize getHeapLimit() {
			return this.heapLimit;
		}

		public void setHeapLimit(@Nullable DataSize heapLimit) {
			this.heapLimit = heapLimit;
		}

	}

	/**
	 * Resolving dns+ and dnssrv+ server entries.
	 */
	public static class Discovery {

		/**
		 * How often dns+ and dnssrv+ entries are resolved again.
		 */
		private Duration interval = Duration.ofSeconds(5);

		/**
		 * How long one DNS question may take before the round keeps the entry's previous
		 * nodes.
		 */
		private Duration timeout = Duration.ofSeconds(1);

		/**
		 * The DNS server to ask, host or host:port (port 53 by default), for example
		 * 127.0.0.1:5353. Unset means the hosts file, then the servers and search domains
		 * of the operating system (/etc/resolv.conf).
		 */
		private @Nullable String dnsServer;

		/**
		 * How long a node must be missing from the DNS answers before it is removed from
		 * the node set: a DNS blip or a pod restarting under the same name within it
		 * changes nothing. Zero removes a node as soon as a round misses it.
		 */
		private Duration removalGrace = Duration.ofSeconds(30);

		/**
		 * How long a change of the node set keeps the old and the new placement in force
		 * at least (writes reach a quorum of both, reads ask both), counted from when
		 * this instance saw the change. It must cover the time every other application
		 * instance takes to see the change too (a few discovery intervals); it is never
		 * shorter than two intervals.
		 */
		private Duration settlePeriod = Duration.ofSeconds(30);

		/**
		 * Whether this instance publishes the node set it places keys by on every node,
		 * every discovery interval, and reads the sets other instances publish: while a
		 * live instance publishes a different set (another static memquorum.servers list
		 * during a rolling update of the application, or DNS answers that differ for a
		 * while), both placements stay in force, so that neither loses the other's
		 * sessions. A record lives three intervals.
		 */
		private boolean publishNodeSet = true;

		public boolean isPublishNodeSet() {
			return this.publishNodeSet;
		}

		public void setPublishNodeSet(boolean publishNodeSet) {
			this.publishNodeSet = publishNodeSet;
		}

		public Duration getRemovalGrace() {
			return this.removalGrace;
		}

		public void setRemovalGrace(Duration removalGrace) {
			this.removalGrace = removalGrace;
		}

		public Duration getSettlePeriod() {
			return this.settlePeriod;
		}

		public void setSettlePeriod(Duration settlePeriod) {
			this.settlePeriod = settlePeriod;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public @Nullable String getDnsServer() {
			return this.dnsServer;
		}

		public void setDnsServer(@Nullable String dnsServer) {
			this.dnsServer = dnsServer;
		}

	}

}
