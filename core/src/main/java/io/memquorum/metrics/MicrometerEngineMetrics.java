package io.memquorum.metrics;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.memquorum.engine.MembershipStatus;
import io.memquorum.engine.NodeState;
import io.memquorum.refill.RefillStatus;
import io.memquorum.node.NodeAddress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

/**
 * Records engine metrics to Micrometer. Meters, all tagged with {@code node} where one
 * node is concerned:
 * <ul>
 * <li>{@code memquorum.node.operations} (timer; tags {@code operation}, {@code outcome}
 * success|failure)</li>
 * <li>{@code memquorum.read.failovers}, {@code memquorum.read.repairs} (counters)</li>
 * <li>{@code memquorum.hints.queued}, {@code memquorum.hints.replayed},
 * {@code memquorum.hints.dropped} (counters), {@code memquorum.hints.pending}
 * (gauge)</li>
 * <li>{@code memquorum.node.flushes}, {@code memquorum.node.verifications},
 * {@code memquorum.node.restarts} (counters)</li>
 * <li>{@code memquorum.node.state} (gauge: 1 up, 0.5 recovering, 0 down)</li>
 * <li>{@code memquorum.quorum.failures} (counter; tag {@code operation})</li>
 * <li>{@code memquorum.values.unreadable} (counter; tag {@code reason}: not-an-envelope,
 * unknown-format, corrupt, unsigned, signed-without-keys, bad-signature)</li>
 * <li>{@code memquorum.refill.runs} (counter; tag {@code outcome}
 * started|complete|incomplete), {@code memquorum.refill.entries} and
 * {@code memquorum.refill.bytes} (counters: entries and envelope bytes copied onto a
 * node), {@code memquorum.refill.active} (gauge: 1 while this instance refills the node),
 * {@code memquorum.refill.progress} (gauge: entries examined of those listed in the
 * current or last run, 0 to 1), {@code memquorum.refill.phase} (gauge; tag {@code phase}:
 * 1 for the node's current refill phase, 0 for the others), {@code memquorum.refill.rate}
 * (gauge: envelope bytes per second while a run copies),
 * {@code memquorum.refill.entries.rate} (gauge: entries examined per second while a run
 * copies), {@code memquorum.refill.eta} (gauge: seconds the running refill still needs,
 * NaN when unknown)</li>
 * </ul>
 */
public final class MicrometerEngineMetrics implements EngineMetrics {

	private final MeterRegistry registry;

	private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

	public MicrometerEngineMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void nodeOperation(NodeAddress node, String operation, long nanos, boolean success) {
		String outcome = success ? "success" : "failure";
		this.timers
			.computeIfAbsent(node + "|" + operation + "|" + outcome,
					(id) -> Timer.builder("memquorum.node.operations")
						.description("Commands sent to one memcached node")
						.tag("node", node.toString())
						.tag("operation", operation)
						.tag("outcome", outcome)
						.register(this.registry))
			.record(nanos, TimeUnit.NANOSECONDS);
	}

	@Override
	public void failover(NodeAddress node) {
		count("memquorum.read.failovers", "Reads that moved past a replica that missed or failed", node);
	}

	@Override
	public void readRepair(NodeAddress node) {
		count("memquorum.read.repairs", "Replicas sent the newest copy after a read", node);
	}

	@Override
	public void hintQueued(NodeAddress node) {
		count("memquorum.hints.queued", "Writes and deletes a replica missed, kept for replay", node);
	}

	@Override
	public void hintReplayed(NodeAddress node) {
		count("memquorum.hints.replayed", "Missed writes and deletes replayed to a returning replica", node);
	}

	@Override
	public void hintDropped(NodeAddress node) {
		count("memquorum.hints.dropped", "Hints dropped because the node's hint log was full", node);
	}

	@Override
	public void nodeFlushed(NodeAddress node) {
		count("memquorum.node.flushes",
				"Nodes flushed because they may hold values whose deletes no peer remembers any more", node);
	}

	@Override
	public void nodeVerified(NodeAddress node) {
		count("memquorum.node.verifications",
				"Nodes that missed more writes than their hints hold, verified against their peers instead of flushed",
				node);
	}

	@Override
	public void nodeReconnected(NodeAddress node) {
		count("memquorum.node.reconnects", "Connections reopened, host name resolved again, after a long outage", node);
	}

	@Override
	public void clientStall() {
		Counter.builder("memquorum.client.stalls")
			.description("Command timeouts blamed on this JVM (late timeout scan, every node at once), not on a node")
			.register(this.registry)
			.increment();
	}

	@Override
	public void nodeRestarted(NodeAddress node) {
		count("memquorum.node.restarts", "Nodes found restarted (new process or start time)", node);
	}

	@Override
	public void unreadableValue(NodeAddress node) {
		unreadableValue(node, "not-an-envelope");
	}

	@Override
	public void unreadableValue(NodeAddress node, String reason) {
		this.counters
			.computeIfAbsent("unreadable|" + node + "|" + reason,
					(id) -> Counter.builder("memquorum.values.unreadable")
						.description("Items read as misses because they were not usable memquorum envelopes")
						.tag("node", node.toString())
						.tag("reason", reason)
						.register(this.registry))
			.increment();
	}

	@Override
	public void quorumFailure(String operation) {
		this.counters
			.computeIfAbsent("quorum|" + operation,
					(id) -> Counter.builder("memquorum.quorum.failures")
						.description("Operations that could not reach their quorum")
						.tag("operation", operation)
						.register(this.registry))
			.increment();
	}

	@Override
	public void registerNode(NodeAddress node, Supplier<NodeState> state, ToDoubleFunction<NodeAddress> pendingHints) {
		Gauge.builder("memquorum.node.state", state, (supplier) -> switch (supplier.get()) {
			case UP -> 1.0;
			case RECOVERING -> 0.5;
			case DOWN -> 0.0;
		})
			.description("Node state: 1 up, 0.5 recovering, 0 down")
			.tag("node", node.toString())
			.strongReference(true)
			.register(this.registry);
		Gauge.builder("memquorum.hints.pending", node, pendingHints)
			.description("Hints waiting for a node")
			.tag("node", node.toString())
			.strongReference(true)
			.register(this.registry);
	}

	@Override
	public void refillStarted(NodeAddress node) {
		refillRun(node, "started");
	}

	@Override
	public void refillCopied(NodeAddress node, long bytes) {
		count("memquorum.refill.entries", "Entries copied onto a node by refill", node);
		this.counters
			.computeIfAbsent("memquorum.refill.bytes|" + node,
					(id) -> Counter.builder("memquorum.refill.bytes")
						.description("Envelope bytes copied onto a node by refill")
						.baseUnit("bytes")
						.tag("node", node.toString())
						.register(this.registry))
			.increment(bytes);
	}

	@Override
	public void refillFinished(NodeAddress node, boolean complete) {
		refillRun(node, complete ? "complete" : "incomplete");
	}

	private volatile @Nullable Supplier<MembershipStatus> membershipStatus;

	@Override
	public void registerMembership(Supplier<MembershipStatus> status) {
		Gauge.builder("memquorum.membership.placements", status, (supplier) -> supplier.get().placements())
			.description("Placements in force: 1, or 2 while a change of the node set is in progress")
			.strongReference(true)
			.register(this.registry);
		// A function counter holds its object weakly: keep the supplier here.
		this.membershipStatus = status;
		FunctionCounter.builder("memquorum.membership.changes", status, (supplier) -> supplier.get().changes())
			.description("Changes of the node set started since the engine started")
			.register(this.registry);
		Gauge.builder("memquorum.membership.nodes", status, (supplier) -> supplier.get().nodes().size())
			.description("Nodes of the placement keys are written by (the new one during a change)")
			.strongReference(true)
			.register(this.registry);
		for (MembershipStatus.Phase phase : MembershipStatus.Phase.values()) {
			Gauge
				.builder("memquorum.membership.phase", status,
						(supplier) -> (supplier.get().phase() == phase) ? 1.0 : 0.0)
				.description("1 for the phase of the node set's change in progress (stable without one)")
				.tag("phase", phase.name().toLowerCase(Locale.ROOT))
				.strongReference(true)
				.register(this.registry);
		}
	}

	@Override
	public void registerRefill(NodeAddress node, Supplier<RefillStatus> status) {
		Gauge.builder("memquorum.refill.active", status, (supplier) -> switch (supplier.get().phase()) {
			case REFILLING, VERIFYING -> 1.0;
			default -> 0.0;
		})
			.description("1 while this instance refills the node")
			.tag("node", node.toString())
			.strongReference(true)
			.register(this.registry);
		Gauge.builder("memquorum.refill.progress", status, (supplier) -> {
			RefillStatus now = supplier.get();
			return (now.total() > 0) ? (double) now.examined() / now.total()
					: (now.phase() == RefillStatus.Phase.COMPLETE) ? 1.0 : 0.0;
		})
			.description("Entries examined of those listed in the node's current or last refill, 0 to 1")
			.tag("node", node.toString())
			.strongReference(true)
			.register(this.registry);
		for (RefillStatus.Phase phase : RefillStatus.Phase.values()) {
			Gauge.builder("memquorum.refill.phase", status, (supplier) -> (supplier.get().phase() == phase) ? 1.0 : 0.0)
				.description("1 for the node's current refill phase, 0 for the others")
				.tag("node", node.toString())
				.tag("phase", phase.name().toLowerCase(Locale.ROOT))
				.strongReference(true)
				.register(this.registry);
		}
		Gauge.builder("memquorum.refill.rate", status, (supplier) -> supplier.get().bytesPerSecond())
			.description("Envelope bytes copied onto the node per second while this instance refills it")
			.baseUnit("bytes")
			.tag("node", node.toString())
			.strongReference(true)
			.register(this.registry);
		Gauge.builder("memquorum.refill.entries.rate", status, (supplier) -> supplier.get().entriesPerSecond())
			.description("Entries examined per second while this instance refills the node")
			.tag("node", node.toString())
			.strongReference(true)
			.register(this.registry);
		Gauge.builder("memquorum.refill.missing.peers", status, (supplier) -> supplier.get().missingPeers().size())
			.description("Peers the node's last refill could not list, so the node is not complete")
			.tag("node", node.toString())
			.strongReference(true)
			.register(this.registry);
		Gauge.builder("memquorum.refill.eta", status, (supplier) -> {
			Duration eta = supplier.get().eta();
			return (eta != null) ? eta.toMillis() / 1000.0 : Double.NaN;
		})
			.description("Seconds the running refill of the node still needs at its current rate")
			.baseUnit("seconds")
			.tag("node", node.toString())
			.strongReference(true)
			.register(this.registry);
	}

	private void refillRun(NodeAddress node, String outcome) {
		this.counters
			.computeIfAbsent("memquorum.refill.runs|" + node + "|" + outcome,
					(id) -> Counter.builder("memquorum.refill.runs")
						.description("Refill runs of a node by this instance")
						.tag("node", node.toString())
						.tag("outcome", outcome)
						.register(this.registry))
			.increment();
	}

	private void count(String name, String description, NodeAddress node) {
		this.counters
			.computeIfAbsent(name + "|" + node,
					(id) -> Counter.builder(name)
						.description(description)
						.tag("node", node.toString())
						.register(this.registry))
			.increment();
	}

}
