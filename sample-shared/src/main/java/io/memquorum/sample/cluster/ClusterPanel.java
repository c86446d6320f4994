package io.memquorum.sample.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.memquorum.autoconfigure.MemquorumProperties;
import io.memquorum.engine.NodeStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAddress;
import io.memquorum.refill.RefillStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * What the home page shows about the memcached nodes: the engine's view of each node
 * ({@code nodeStatus()}), its failover and repair counters from Micrometer, the node's
 * own hit and miss counters, and its refill ({@code refillStatus()}) as a progress bar.
 */
@Component
public class ClusterPanel {

	private final ObjectProvider<ReplicatedMemcached> engine;

	private final MeterRegistry registry;

	private final NodeCountersReader counters;

	public ClusterPanel(ObjectProvider<ReplicatedMemcached> engine, MeterRegistry registry,
			ObjectProvider<MemquorumProperties> properties) {
		this.engine = engine;
		this.registry = registry;
		MemquorumProperties memquorum = properties.getIfAvailable();
		// The node's own counters are read over a connection of the panel's; it logs in
		// as the engine does.
		this.counters = new NodeCountersReader(Duration.ofMillis(200),
				(memquorum != null) ? memquorum.getUsername() : null,
				(memquorum != null) ? memquorum.getPassword() : null);
	}

	/**
	 * Describes every configured node, in the configured order.
	 * @return one row per node, empty when no engine is configured
	 */
	public List<NodeView> nodes() {
		ReplicatedMemcached engine = this.engine.getIfAvailable();
		if (engine == null) {
			return List.of();
		}
		Map<NodeAddress, RefillStatus> refills = new HashMap<>();
		engine.refillStatus().forEach((refill) -> refills.put(refill.address(), refill));
		return engine.nodeStatus().stream().map((status) -> view(status, refills.get(status.address()))).toList();
	}

	private NodeView view(NodeStatus status, @Nullable RefillStatus refill) {
		String node = status.address().toString();
		NodeCounters counters = this.counters.read(status.address()).orElse(null);
		return new NodeView(node, status.state().name().toLowerCase(Locale.ROOT), status.readable(),
				(counters != null) ? counters.hits() : null, (counters != null) ? counters.misses() : null,
				count("memquorum.read.failovers", node), count("memquorum.read.repairs", node), status.pendingHints(),
				status.restarts(), RefillView.of(refill));
	}

	private long count(String meter, String node) {
		Counter counter = this.registry.find(meter).tag("node", node).counter();
		return (counter != null) ? (long) counter.count() : 0;
	}

}
