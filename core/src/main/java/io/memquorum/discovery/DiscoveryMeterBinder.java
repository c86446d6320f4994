package io.memquorum.discovery;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Meters of discovery: how many nodes the entries resolve to, how often that set changed,
 * when it last did, and how many lookups failed.
 */
public class DiscoveryMeterBinder implements MeterBinder {

	private final NodeDiscovery discovery;

	public DiscoveryMeterBinder(NodeDiscovery discovery) {
		this.discovery = discovery;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("memquorum.discovery.nodes", this.discovery, (d) -> d.nodeNames().size())
			.description("Nodes the server entries resolved to at the last round")
			.register(registry);
		FunctionCounter.builder("memquorum.discovery.changes", this.discovery, (d) -> d.changeCount())
			.description("Changes of the resolved node set")
			.register(registry);
		Gauge
			.builder("memquorum.discovery.last.change", this.discovery,
					(d) -> d.changes().isEmpty() ? 0 : d.changes().get(d.changes().size() - 1).at().getEpochSecond())
			.description("When the resolved node set last changed, in seconds since the epoch; 0 for never")
			.baseUnit("seconds")
			.register(registry);
		FunctionCounter.builder("memquorum.discovery.failures", this.discovery, (d) -> d.failures())
			.description("Lookups of a server entry that failed; the entry kept its nodes")
			.register(registry);
	}

}
