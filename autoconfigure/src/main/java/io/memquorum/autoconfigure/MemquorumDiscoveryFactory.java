package io.memquorum.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.memquorum.discovery.NodeDiscovery;
import io.memquorum.discovery.NodeSetChange;
import io.memquorum.engine.ReplicatedMemcached;
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
			return NodeDiscovery.of(entries, dnsServer, properties.getTimeout(), properties.getInterval());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("memquorum.servers", shown, ex.getMessage());
		}
	}

	/**
	 * Tell, on every change of the resolved set, that this engine keeps the nodes it
	 * started with: it does not add or remove nodes while running.
	 * @param discovery the discovery
	 * @param engine the engine
	 */
	static void reportChanges(NodeDiscovery discovery, ReplicatedMemcached engine) {
		discovery.onChange((NodeSetChange change) -> logger.warn("memquorum.servers now resolve to " + change.nodes()
				+ " (added " + change.added() + ", removed " + change.removed() + "). This instance keeps using "
				+ "the nodes it started with, " + engine.placement().nodes()
				+ ": changing the node set needs a restart of every application instance (see docs/kubernetes)"));
	}

	private static void positive(String name, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new InvalidConfigurationPropertyValueException(name, value, "It must be positive");
		}
	}

}
