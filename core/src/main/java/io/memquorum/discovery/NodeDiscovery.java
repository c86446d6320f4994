package io.memquorum.discovery;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import javax.naming.NamingException;

import io.memquorum.node.HostLookup;
import io.memquorum.node.NodeAddress;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the server list into nodes, at start and again every interval.
 *
 * <h2>Consistency</h2> A node's identity is what the entry names: the address for a fixed
 * {@code host:port} and for each address of a {@code dns+} name, the target name and port
 * for each SRV record of a {@code dnssrv+} name. A SRV target that moves to a new address
 * keeps its identity, so its place in the ring; only where it is reached changes
 * ({@link #addressOf(String)}).
 *
 * <h2>Failure</h2> An entry whose lookup fails (no answer, an error, the name gone, or no
 * record at all) keeps the nodes it had; the failure is logged once per outage and
 * counted. A round therefore never empties the node set. At start every entry must give
 * at least one node, or {@link #start()} fails. A node that an entry no longer gives is
 * kept until it has been missing for the removal grace ({@code removalGrace}): a DNS
 * blip, or a pod restarting under the same name, does not change the node set.
 *
 * <h2>Concurrency</h2> One thread resolves; readers see the last complete round through a
 * volatile snapshot. Listeners run on the resolving thread.
 */
public final class NodeDiscovery implements HostLookup, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(NodeDiscovery.class);

	private static final int KEPT_CHANGES = 20;

	private final List<ServerEntry> entries;

	private final NameLookup lookup;

	private final Duration interval;

	private final Clock clock;

	private final Duration removalGrace;

	/**
	 * Nodes an entry stopped giving, with when they were first missed; kept meanwhile.
	 */
	private final Map<NodeAddress, Instant> missingSince = new ConcurrentHashMap<>();

	private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());

	/**
	 * Entries failing now, with what went wrong; logged when they fail first and recover.
	 */
	private final Map<ServerEntry, String> failing = new ConcurrentHashMap<>();

	private final Deque<NodeSetChange> changes = new ArrayDeque<>();

	private final List<Consumer<NodeSetChange>> listeners = new CopyOnWriteArrayList<>();

	private final AtomicLong failures = new AtomicLong();

	private final AtomicLong rounds = new AtomicLong();

	private final AtomicLong changeCount = new AtomicLong();

	private @Nullable ScheduledExecutorService scheduler;

	NodeDiscovery(List<ServerEntry> entries, NameLookup lookup, Duration interval, Clock clock) {
		this(entries, lookup, interval, clock, Duration.ZERO);
	}

	NodeDiscovery(List<ServerEntry> entries, NameLookup lookup, Duration interval, Clock clock, Duration removalGrace) {
		if (entries.isEmpty()) {
			throw new IllegalArgumentException("At least one memcached node is required");
		}
		this.entries = List.copyOf(entries);
		this.lookup = lookup;
		this.interval = interval;
		this.clock = clock;
		if (removalGrace.isNegative()) {
			throw new IllegalArgumentException("The removal grace must not be negative, got " + removalGrace);
		}
		this.removalGrace = removalGrace;
	}

	/**
	 * Discovery of the given server entries.
	 * @param servers entries, each {@code host:port}, {@code dns+name:port} or
	 * {@code dnssrv+name}
	 * @param dnsServer {@code host:port} (or {@code host}, port 53) of the DNS server to
	 * ask, or {@code null} for the system's servers and hosts file
	 * @param timeout how long one DNS question may take
	 * @param interval how often to resolve again
	 * @return the discovery, not started
	 * @throws IllegalArgumentException when an entry or the DNS server is malformed
	 */
	public static NodeDiscovery of(List<String> servers, @Nullable String dnsServer, Duration timeout,
			Duration interval) {
		return of(servers, dnsServer, timeout, interval, Duration.ZERO);
	}

	/**
	 * Discovery of the given server entries, keeping a node an entry stops giving until
	 * it has been missing for {@code removalGrace}.
	 * @param servers entries, each {@code host:port}, {@code dns+name:port} or
	 * {@code dnssrv+name}
	 * @param dnsServer {@code host:port} of the DNS server to ask, or {@code null} for
	 * the system's
	 * @param timeout how long one DNS question may take
	 * @param interval how often to resolve again
	 * @param removalGrace how long a node must be missing from the answers before it is
	 * removed; zero removes it at once
	 * @return the discovery, not started
	 * @throws IllegalArgumentException when an entry or the DNS server is malformed
	 */
	public static NodeDiscovery of(List<String> servers, @Nullable String dnsServer, Duration timeout,
			Duration interval, Duration removalGrace) {
		List<ServerEntry> entries = new ArrayList<>();
		for (String server : servers) {
			ServerEntry entry = ServerEntry.parse(server);
			if (entries.contains(entry)) {
				throw new IllegalArgumentException(
						"'" + server.trim() + "' is listed twice; every memcached node must be listed once");
			}
			entries.add(entry);
		}
		return new NodeDiscovery(entries, NameLookup.of(dnsServer(dnsServer), timeout), interval, Clock.systemUTC(),
				removalGrace);
	}

	private static @Nullable String dnsServer(@Nullable String dnsServer) {
		if (dnsServer == null) {
			return null;
		}
		String trimmed = dnsServer.trim();
		boolean hasPort = trimmed.startsWith("[") ? trimmed.contains("]:")
				: trimmed.indexOf(':') >= 0 && trimmed.indexOf(':') == trimmed.lastIndexOf(':');
		try {
			return NodeAddress
				.parse(hasPort ? trimmed : (trimmed.contains(":") ? "[" + trimmed + "]" : trimmed) + ":53")
				.toString();
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("'" + dnsServer + "' is not a DNS server: expected host or host:port,"
					+ " for example 10.96.0.10 or 127.0.0.1:5353", ex);
		}
	}

	/**
	 * Resolve every entry now, and then every interval when an entry can change.
	 * @return the nodes
	 * @throws DiscoveryException when an entry gives no node
	 */
	public synchronized List<NodeAddress> start() {
		if (this.rounds.get() == 0) {
			resolveNow();
			List<String> unresolved = new ArrayList<>();
			this.failing.forEach((entry, problem) -> unresolved.add(entry + ": " + problem));
			if (!unresolved.isEmpty()) {
				throw new DiscoveryException("memquorum.servers: no memcached node found for " + unresolved + " (asked "
						+ this.lookup + ")");
			}
			logger.info("memquorum.servers {} resolved to {}", this.entries, nodeNames());
		}
		if (this.scheduler == null && this.entries.stream().anyMatch(ServerEntry::isDynamic)) {
			this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, "memquorum-discovery");
				thread.setDaemon(true);
				return thread;
			});
			this.scheduler.scheduleWithFixedDelay(this::resolveQuietly, this.interval.toMillis(),
					this.interval.toMillis(), TimeUnit.MILLISECONDS);
		}
		return nodes();
	}

	private void resolveQuietly() {
		try {
			resolveNow();
		}
		catch (RuntimeException ex) {
			// The schedule must survive a listener's or a lookup's surprise.
			logger.warn("memquorum discovery round failed; the node set stays {}", nodeNames(), ex);
		}
	}

	/**
	 * One round: resolve every entry, keep the previous nodes of an entry that fails, and
	 * tell the listeners when the node set changed.
	 * @return the change, or {@code null} when the set is the same
	 */
	public synchronized @Nullable NodeSetChange resolveNow() {
		Snapshot before = this.snapshot;
		Map<ServerEntry, List<NodeAddress>> byEntry = new LinkedHashMap<>();
		Map<String, InetAddress> hosts = new LinkedHashMap<>(before.hosts);
		for (ServerEntry entry : this.entries) {
			try {
				byEntry.put(entry, withinGrace(resolve(entry, hosts), before.byEntry.getOrDefault(entry, List.of())));
				String problem = this.failing.remove(entry);
				if (problem != null) {
					logger.info("memquorum.servers entry {} resolves again", entry);
				}
			}
			catch (NamingException | RuntimeException ex) {
				this.failures.incrementAndGet();
				String problem = (ex.getMessage() != null) ? ex.getMessage() : ex.toString();
				if (this.failing.put(entry, problem) == null) {
					logger.warn("memquorum.servers entry {} could not be resolved ({}); keeping its nodes {}", entry,
							problem, before.byEntry.getOrDefault(entry, List.of()));
				}
				byEntry.put(entry, before.byEntry.getOrDefault(entry, List.of()));
			}
		}
		Snapshot after = new Snapshot(byEntry, hosts);
		this.snapshot = after;
		this.rounds.incrementAndGet();
		Set<String> was = before.names();
		Set<String> now = after.names();
		if (was.equals(now) || was.isEmpty()) {
			return null;
		}
		NodeSetChange change = new NodeSetChange(this.clock.instant(),
				now.stream().filter((n) -> !was.contains(n)).toList(),
				was.stream().filter((n) -> !now.contains(n)).toList(), List.copyOf(now));
		this.changeCount.incrementAndGet();
		synchronized (this.changes) {
			this.changes.addLast(change);
			while (this.changes.size() > KEPT_CHANGES) {
				this.changes.removeFirst();
			}
		}
		logger.info("memquorum.servers node set changed: {}", change);
		for (Consumer<NodeSetChange> listener : this.listeners) {
			listener.accept(change);
		}
		return change;
	}

	/**
	 * The nodes an entry gives now, plus those it gave before and has stopped giving for
	 * less than the removal grace.
	 */
	private List<NodeAddress> withinGrace(List<NodeAddress> now, List<NodeAddress> before) {
		Instant at = this.clock.instant();
		List<NodeAddress> kept = new ArrayList<>(now);
		now.forEach(this.missingSince::remove);
		for (NodeAddress node : before) {
			if (now.contains(node)) {
				continue;
			}
			Instant since = this.missingSince.computeIfAbsent(node, (missing) -> at);
			if (Duration.between(since, at).compareTo(this.removalGrace) < 0) {
				if (since.equals(at) && !this.removalGrace.isZero()) {
					logger.info("memquorum node {} is missing from the DNS answers; kept for the removal grace ({})",
							node, this.removalGrace);
				}
				kept.add(node);
			}
			else {
				this.missingSince.remove(node);
			}
		}
		if (kept.size() != now.size()) {
			Collections.sort(kept);
		}
		return kept;
	}

	/**
	 * How long a node must be missing from the answers before it is removed.
	 * @return the removal grace
	 */
	public Duration removalGrace() {
		return this.removalGrace;
	}

	private List<NodeAddress> resolve(ServerEntry entry, Map<String, InetAddress> hosts) throws NamingException {
		if (entry instanceof ServerEntry.Fixed fixed) {
			return List.of(fixed.address().lookedUpBy(this));
		}
		if (entry instanceof ServerEntry.Dns dns) {
			List<NodeAddress> nodes = new ArrayList<>();
			for (InetAddress address : this.lookup.addresses(dns.name())) {
				NodeAddress node = new NodeAddress(address.getHostAddress(), dns.port(), this);
				if (!nodes.contains(node)) {
					nodes.add(node);
				}
			}
			// DNS answers in any order; the node list must not move with it.
			Collections.sort(nodes);
			return nodes;
		}
		ServerEntry.Srv srv = (ServerEntry.Srv) entry;
		List<NodeAddress> nodes = new ArrayList<>();
		for (DnsQuery.SrvTarget target : this.lookup.services(srv.name())) {
			NodeAddress node = new NodeAddress(target.target(), target.port(), this);
			if (!nodes.contains(node)) {
				nodes.add(node);
			}
			try {
				InetAddress address = this.lookup.addresses(target.target()).get(0);
				InetAddress previous = hosts.put(target.target(), address);
				if (previous != null && !previous.equals(address)) {
					logger.info("memquorum node {} moved from {} to {}", node, previous.getHostAddress(),
							address.getHostAddress());
				}
			}
			catch (NamingException ex) {
				// The node stays, reached where it was last seen (or by the JVM's
				// lookup):
				// a pod between two addresses is not a smaller cluster.
				logger.debug("No address for SRV target {} now: {}", target.target(), ex.getMessage());
			}
		}
		Collections.sort(nodes);
		return nodes;
	}

	/**
	 * The nodes of the last round, in the order of the entries.
	 * @return the nodes, each looked up through this discovery
	 */
	public List<NodeAddress> nodes() {
		Set<NodeAddress> nodes = new LinkedHashSet<>();
		this.snapshot.byEntry.values().forEach(nodes::addAll);
		return List.copyOf(nodes);
	}

	/**
	 * The nodes of the last round as {@code host:port}.
	 * @return the node names
	 */
	public List<String> nodeNames() {
		return List.copyOf(this.snapshot.names());
	}

	/**
	 * Where each SRV target was reached at the last round that found it.
	 * @return host name to address
	 */
	public Map<String, String> targetAddresses() {
		Map<String, String> addresses = new LinkedHashMap<>();
		this.snapshot.hosts.forEach((host, address) -> addresses.put(host, address.getHostAddress()));
		return addresses;
	}

	@Override
	public @Nullable InetAddress addressOf(String host) {
		return this.snapshot.hosts.get(host);
	}

	/**
	 * The last changes of the node set, oldest first (at most twenty).
	 * @return the changes
	 */
	public List<NodeSetChange> changes() {
		synchronized (this.changes) {
			return List.copyOf(this.changes);
		}
	}

	/**
	 * Entries that could not be resolved at the last round, with why.
	 * @return entry to problem
	 */
	public Map<String, String> failingEntries() {
		Map<String, String> failing = new LinkedHashMap<>();
		this.failing.forEach((entry, problem) -> failing.put(entry.toString(), problem));
		return failing;
	}

	/**
	 * Changes of the node set since start.
	 * @return the count
	 */
	public long changeCount() {
		return this.changeCount.get();
	}

	/**
	 * Lookups of an entry that failed since start.
	 * @return the count
	 */
	public long failures() {
		return this.failures.get();
	}

	/**
	 * Rounds completed since start.
	 * @return the count
	 */
	public long rounds() {
		return this.rounds.get();
	}

	public Duration interval() {
		return this.interval;
	}

	/**
	 * Be told of every change of the node set, on the resolving thread.
	 * @param listener the listener
	 */
	public void onChange(Consumer<NodeSetChange> listener) {
		this.listeners.add(listener);
	}

	@Override
	public synchronized void close() {
		if (this.scheduler != null) {
			this.scheduler.shutdownNow();
			this.scheduler = null;
		}
	}

	@Override
	public String toString() {
		return "NodeDiscovery" + this.entries + " via " + this.lookup;
	}

	private record Snapshot(Map<ServerEntry, List<NodeAddress>> byEntry, Map<String, InetAddress> hosts) {

		Set<String> names() {
			Set<String> names = new LinkedHashSet<>();
			this.byEntry.values().forEach((nodes) -> nodes.forEach((node) -> names.add(node.toString())));
			return names;
		}

	}

}
