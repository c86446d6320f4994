package io.memquorum.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import io.memquorum.node.JvmDnsCache;
import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeConnection;
import io.memquorum.placement.Placement;
import io.memquorum.refill.Refill;
import org.jspecify.annotations.Nullable;

/**
 * Builds the engine's pieces around one {@link EngineState}, starts its threads, and
 * stops them again: everything {@link ReplicatedMemcached} needs to route, and nothing it
 * routes.
 */
final class EngineAssembly {

	final EngineState state;

	final ExecutorService connector;

	final ExecutorService closer;

	final ReadOrder readOrder;

	final ConditionalWrite conditional;

	final Repair repair;

	final QuorumWrite quorumWrite;

	final MultiGet multiGet;

	final NodeWideKeys nodeWide;

	final Duration deadline;

	final Refill refill;

	final MembershipChanges membership;

	/** Publishes and reads node set records; null when they are off. */
	private final @Nullable ScheduledExecutorService recordsThread;

	EngineAssembly(EngineOptions<?> builder) {
		if (builder.servers.isEmpty()) {
			throw new IllegalArgumentException("At least one memcached node is required");
		}
		List<NodeAddress> addresses = builder.servers.stream()
			.map((server) -> NodeAddress.parse(server).lookedUpBy(builder.hostLookup))
			.toList();
		int replicationFactor = (builder.replicationFactor != null) ? builder.replicationFactor : addresses.size();
		Placement placement = Placement.of(addresses, replicationFactor);
		EngineSettings settings = builder.settings();
		if (builder.dnsCacheTtl() != null) {
			// Before the first lookup of a node's name: the JDK reads it only once.
			JvmDnsCache.bound(builder.dnsCacheTtl());
		}
		ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(daemon("maintenance"));
		this.connector = Executors.newSingleThreadExecutor(daemon("connector"));
		this.closer = Executors.newSingleThreadExecutor(daemon("closer"));
		NodeWatch.ConnectionOpener opener = (address) -> NodeConnection.scannedByCaller(address,
				settings.connectTimeout(), settings.operationTimeout(), settings.reconnectInterval(),
				builder.credentials);
		Map<NodeAddress, Node> nodes = new LinkedHashMap<>();
		try {
			for (NodeAddress address : addresses) {
				nodes.put(address, new Node(address, opener.open(address), settings.hintCapacity(),
						settings.hintBytes(), settings.failureThreshold(), settings.operationTimeout()));
			}
		}
		catch (IOException ex) {
			closeAll(nodes, maintenance);
			throw new UncheckedIOException("Could not start the memcached connections", ex);
		}
		catch (RuntimeException ex) {
			// A node that refused the credentials: its message says which and why.
			closeAll(nodes, maintenance);
			throw ex;
		}
		this.state = new EngineState(placement, Collections.unmodifiableMap(nodes), new KeyEncoder(builder.keyPrefix),
				settings, builder.metrics, builder.wallClock, maintenance, builder.signer);
		this.deadline = settings.awaitDeadline(replicationFactor);
		this.readOrder = new ReadOrder(this.state, builder.refillOptions().enabled());
		this.conditional = new ConditionalWrite(this.state);
		this.repair = new Repair(this.state, this.conditional);
		Hints hints = new Hints(this.state, this.conditional);
		this.quorumWrite = new QuorumWrite(this.state, this.readOrder, hints);
		this.multiGet = new MultiGet(this.state, this.readOrder, this.repair);
		this.nodeWide = new NodeWideKeys(this.state, this.readOrder, this.repair, this.conditional, hints,
				this.deadline);
		this.refill = new Refill(nodes, placement, this.state.keyEncoder,
				new VerifyingReplicaWriter(this.state, this.conditional), this.state.metrics, builder.refillOptions(),
				this.state.wallClock, settings.operationTimeout().multipliedBy(4).plusSeconds(1), this.state.signer,
				this.state.foreground);
		NodeWatch watch = new NodeWatch(this.state, hints, opener, this.connector, this.closer, this.refill);
		this.membership = new MembershipChanges(this.state, this.refill, opener, this.connector, this.closer,
				builder.replicationFactor, builder.membershipSettle, builder.refillOptions().enabled(),
				this.deadline.multipliedBy(2));
		this.state.metrics.registerMembership(this.membership::status);
		if (builder.nodeSetInterval != null) {
			this.membership.publishWith(new NodeSetRecords(this.state, builder.nodeSetInterval,
					settings.operationTimeout().multipliedBy(4).plusSeconds(1), builder.hostLookup));
			this.recordsThread = Executors.newSingleThreadScheduledExecutor(daemon("nodesets"));
		}
		else {
			this.recordsThread = null;
		}
		TimeoutScan timeouts = new TimeoutScan(this.state);
		for (Node node : nodes.values()) {
			this.state.metrics.registerNode(node.address, node::state, (address) -> node.hints.size());
		}
		maintenance.scheduleWithFixedDelay(timeouts::scan, TimeoutScan.TICK_MILLIS, TimeoutScan.TICK_MILLIS,
				TimeUnit.MILLISECONDS);
		try {
			watch.identifyAll().get(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			// A node that does not answer now is learned when it does; not an error.
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
		}
		long tick = Math.max(10, Math.min(settings.probeInterval().toMillis(), 100));
		maintenance.scheduleWithFixedDelay(watch::maintain, tick, tick, TimeUnit.MILLISECONDS);
		maintenance.scheduleWithFixedDelay(this.membership::tick, 100, 100, TimeUnit.MILLISECONDS);
		if (this.recordsThread != null) {
			// Before the engine serves: an instance that places keys differently is seen
			// before the first write, which then goes to both placements.
			this.membership.startWithRecords();
			long every = builder.nodeSetInterval.toMillis();
			this.recordsThread.scheduleWithFixedDelay(this.membership::refreshRecords, every, every,
					TimeUnit.MILLISECONDS);
		}
		this.refill.start();
	}

	private void closeAll(Map<NodeAddress, Node> nodes, ScheduledExecutorService maintenance) {
		nodes.values().forEach((node) -> node.connection().close());
		maintenance.shutdownNow();
		this.connector.shutdownNow();
		this.closer.shutdownNow();
	}

	private static ThreadFactory daemon(String role) {
		return (runnable) -> {
			Thread thread = new Thread(runnable, "memquorum-" + role);
			thread.setDaemon(true);
			return thread;
		};
	}

	void close() {
		// First: a refill in progress releases its lease over connections still open.
		this.refill.close();
		if (this.recordsThread != null) {
			this.recordsThread.shutdownNow();
		}
		this.state.maintenance.shutdownNow();
		this.connector.shutdownNow();
		this.closer.shutdown();
		try {
			this.state.maintenance.awaitTermination(5, TimeUnit.SECONDS);
			this.connector.awaitTermination(5, TimeUnit.SECONDS);
			this.closer.awaitTermination(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.membership.allNodes().forEach((node) -> node.connection().close());
	}

}
