package io.memquorum.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.memquorum.discovery.NodeDiscovery;
import io.memquorum.discovery.NodeSetChange;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAddress;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Validates the server entries and the {@code memquorum.discovery.*} properties, and
 * resolves the entries once before the engine starts.
 */
final class MemquorumDiscoveryFactory {

	private static final Log logger = LogFactory.getLog(MemquorumAutoConfiguration.class);

	private MemquorumDiscoveryFactory() {
	}

	static NodeDiscovery create(MemquorumConnectionDetails details, MemquorumProperties.Discovery properties) {
		List<String> entries = new ArrayList<>();
		for (String server : details.getServers()) {
			if (server != null && !server.isBlank()) {
				entries.add(server);
			}
		}
		String shown = String.join(",", details.getServers());
		if (entries.isEmpty()) {
			throw new InvalidConfigurationPropertyValueException("memquorum.servers", shown,
					"At least one memcached node is required, as host:port, dns+name:port or dnssrv+name, for"
							+ " example 127.0.0.1:11211");
		}
		positive("memquorum.discovery.interval", properties.getInterval());
		positive("memquorum.discovery.timeout", properties.getTimeout());
		if (properties.getTimeout().compareTo(properties.getInterval()) > 0) {
			throw new InvalidConfigurationPropertyValueException("memquorum.discovery.timeout", properties.getTimeout(),
					"It must not be longer than memquorum.discovery.interval (" + properties.getInterval() + ")");
		}
		if (properties.getRemovalGrace().isNegative()) {
			throw new InvalidConfigurationPropertyValueException("memquorum.discovery.removal-grace",
					properties.getRemovalGrace(), "It must not be negative");
		}
		positive("memquorum.discovery.settle-period", properties.getSettlePeriod());
		if (properties.getSettlePeriod().compareTo(properties.getInterval().multipliedBy(2)) < 0) {
			throw new InvalidConfigurationPropertyValueException("memquorum.discovery.settle-period",
					properties.getSettlePeriod(),
					"It must be at least two discovery intervals (memquorum.discovery.interval is "
							+ properties.getInterval() + "), so that every instance sees a change before this one "
							+ "finishes it");
		}
		String dnsServer = properties.getDnsServer();
		if (dnsServer != null) {
			try {
				NodeDiscovery.of(List.of("127.0.0.1:1"), dnsServer, properties.getTimeout(), properties.getInterval());
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException("memquorum.discovery.dns-server", dnsServer,
						ex.getMessage());
			}
		}
		try {
			return NodeDiscovery.of(entries, dnsServer, properties.getTimeout(), properties.getInterval(),
					properties.getRemovalGrace());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("memquorum.servers", shown, ex.getMessage());
		}
	}

	/**
	 * Apply every change of the resolved node set to the engine, which changes its nodes
	 * while serving ({@link ReplicatedMemcached#updateNodes}).
	 * @param discovery the discovery
	 * @param engine the engine
	 */
	static void applyChanges(NodeDiscovery discovery, ReplicatedMemcached engine) {
		discovery.onChange((NodeSetChange change) -> apply(discovery, engine));
		// A change resolved while the engine was being built was told to no listener.
		if (!Set.copyOf(discovery.nodes()).equals(Set.copyOf(engine.placement().nodes()))) {
			apply(discovery, engine);
		}
	}

	private static void apply(NodeDiscovery discovery, ReplicatedMemcached engine) {
		List<NodeAddress> nodes = discovery.nodes();
		try {
			engine.updateNodes(nodes);
		}
		catch (IllegalArgumentException ex) {
			logger.error("memquorum.servers now resolve to " + nodes + ", which this instance cannot use ("
					+ ex.getMessage() + "); it keeps " + engine.placement().nodes());
		}
	}

	private static void positive(String name, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new InvalidConfigurationPropertyValueException(name, value, "It must be positive");
		}
	}

}
