package io.memquorum.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.memquorum.engine.KeyEncoder;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.discovery.NodeDiscovery;
import io.memquorum.node.NodeCredentials;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.SigningKeys;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;

/**
 * Validates the {@code memquorum.*} properties and copies them to the engine's builder.
 * Runs before every user customizer.
 */
class PropertiesReplicatedMemcachedBuilderCustomizer implements ReplicatedMemcachedBuilderCustomizer, Ordered {

	private static final Log logger = LogFactory.getLog(MemquorumAutoConfiguration.class);

	/** Stands for a secret in a startup failure, which must not show it. */
	private static final String HIDDEN = "(hidden)";

	private final MemquorumProperties properties;

	private final MemquorumConnectionDetails connectionDetails;

	private final NodeDiscovery discovery;

	PropertiesReplicatedMemcachedBuilderCustomizer(MemquorumProperties properties,
			MemquorumConnectionDetails connectionDetails, NodeDiscovery discovery) {
		this.properties = properties;
		this.connectionDetails = connectionDetails;
		this.discovery = discovery;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public void customize(ReplicatedMemcached.Builder builder) {
		List<String> servers = servers();
		validate(servers.size());
		PropertyMapper map = PropertyMapper.get();
		MemquorumProperties props = this.properties;
		builder.servers(servers);
		builder.hostLookup(this.discovery);
		map.from(props::getReplicationFactor).to(builder::replicationFactor);
		map.from(props::getWriteQuorum).to(builder::writeQuorum);
		map.from(props::getReadConsistency).to(builder::readConsistency);
		map.from(props::getOperationTimeout).to(builder::operationTimeout);
		map.from(props::getConnectTimeout).to(builder::connectTimeout);
		map.from(props::getReconnectInterval).to(builder::reconnectInterval);
		map.from(props::getReconnectGrace).to(builder::reconnectGrace);
		builder.dnsCacheTtl(props.getDnsCacheTtl());
		map.from(props.getDiscovery()::getSettlePeriod).to(builder::membershipSettle);
		builder.nodeSetRecords(props.getDiscovery().isPublishNodeSet() ? props.getDiscovery().getInterval() : null);
		map.from(props::getFailureThreshold).to(builder::failureThreshold);
		map.from(props::getProbeInterval).to(builder::probeInterval);
		map.from(props::getMaxProbeInterval).to(builder::maxProbeInterval);
		map.from(props::getRestartCheckInterval).to(builder::restartCheckInterval);
		map.from(props::getKeyPrefix)
			.as(PropertiesReplicatedMemcachedBuilderCustomizer::keyPrefix)
			.to(builder::keyPrefix);
		map.from(props::getMaxItemSize).asInt((size) -> size.toBytes()).to(builder::maxItemSize);
		map.from(props::getHintCapacity).to(builder::hintCapacity);
		map.from(props::getHintBytes).as(DataSize::toBytes).to(builder::hintBytes);
		map.from(props::getTombstoneTtl).to(builder::tombstoneTtl);
		MemquorumProperties.Refill refill = props.getRefill();
		map.from(refill::isEnabled).to(builder::refillEnabled);
		map.from(refill::getEntriesPerSecond).to(builder::refillEntriesPerSecond);
		map.from(refill::getBytesPerSecond).as(DataSize::toBytes).to(builder::refillBytesPerSecond);
		map.from(refill::getCheckInterval).to(builder::refillCheckInterval);
		map.from(refill::getLeaseTtl).to(builder::refillLeaseTtl);
		map.from(refill::getHeapLimit).as(DataSize::toBytes).to(builder::refillHeapLimit);
		map.from(refill::isAdaptive).to(builder::refillAdaptive);
		map.from(refill::getLatencyFactor).to(builder::refillLatencyFactor);
		builder.credentials(credentials());
		builder.signer(signer(servers));
	}

	private static String keyPrefix(String keyPrefix) {
		try {
			// The engine checks the prefix only when it is built, as a plain
			// IllegalArgumentException; check it here to name the property.
			return new KeyEncoder(keyPrefix).prefix();
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("memquorum.key-prefix", keyPrefix, ex.getMessage());
		}
	}

	private @Nullable NodeCredentials credentials() {
		String username = this.connectionDetails.getUsername();
		String password = this.connectionDetails.getPassword();
		if (username == null && password == null) {
			return null;
		}
		if (username == null || password == null) {
			String missing = (username == null) ? "memquorum.username" : "memquorum.password";
			String given = (username == null) ? "memquorum.password" : "memquorum.username";
			throw new InvalidConfigurationPropertyValueException(missing, null,
					given + " is set, so " + missing + " must be set too");
		}
		try {
			return new NodeCredentials(username, password);
		}
		catch (IllegalArgumentException ex) {
			boolean aboutPassword = ex.getMessage() != null && ex.getMessage().contains("password");
			// Never echo the password back in a startup failure.
			throw new InvalidConfigurationPropertyValueException(
					aboutPassword ? "memquorum.password" : "memquorum.username", aboutPassword ? HIDDEN : username,
					ex.getMessage());
		}
	}

	private @Nullable EntrySigner signer(List<String> servers) {
		List<String> keys = this.properties.getSigning().getKeys();
		if (keys.isEmpty()) {
			logger.warn("memquorum.signing.keys is not set: anyone who can reach memcached at " + servers
					+ " can read every cached value and session, session ids included, and can write entries"
					+ " this application trusts (for example a session signed in as another user). Set"
					+ " memquorum.signing.keys to a base64 secret of at least 32 bytes, the same on every"
					+ " instance (openssl rand -base64 32); see docs/security.md");
			return null;
		}
		try {
			return new EntrySigner(SigningKeys.of(keys));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("memquorum.signing.keys", HIDDEN, ex.getMessage());
		}
	}

	/** The nodes the entries resolved to at start, validated there. */
	private List<String> servers() {
		return this.discovery.nodeNames();
	}

	private void validate(int nodeCount) {
		MemquorumProperties props = this.properties;
		Integer replicationFactor = props.getReplicationFactor();
		if (replicationFactor != null && (replicationFactor < 1 || replicationFactor > nodeCount)) {
			throw new InvalidConfigurationPropertyValueException("memquorum.replication-factor", replicationFactor,
					"The replication factor must be between 1 and the number of servers (" + nodeCount + ")");
		}
		positive("memquorum.operation-timeout", props.getOperationTimeout());
		positive("memquorum.connect-timeout", props.getConnectTimeout());
		positive("memquorum.reconnect-interval", props.getReconnectInterval());
		positive("memquorum.probe-interval", props.getProbeInterval());
		positive("memquorum.max-probe-interval", props.getMaxProbeInterval());
		positive("memquorum.restart-check-interval", props.getRestartCheckInterval());
		positive("memquorum.tombstone-ttl", props.getTombstoneTtl());
		positive("memquorum.reconnect-grace", props.getReconnectGrace());
		if (props.getDnsCacheTtl() != null && props.getDnsCacheTtl().toSeconds() < 1) {
			throw new InvalidConfigurationPropertyValueException("memquorum.dns-cache-ttl", props.getDnsCacheTtl(),
					"It must be at least one second; to keep another lifetime, give the JVM its own setting");
		}
		if (props.getHintBytes() != null && props.getHintBytes().toBytes() < 1024) {
			throw new InvalidConfigurationPropertyValueException("memquorum.hint-bytes", props.getHintBytes(),
					"It must be at least 1KB");
		}
		if (props.getMaxProbeInterval().compareTo(props.getProbeInterval()) < 0) {
			throw new InvalidConfigurationPropertyValueException("memquorum.max-probe-interval",
					props.getMaxProbeInterval(),
					"It must not be shorter than memquorum.probe-interval (" + props.getProbeInterval() + ")");
		}
		if (props.getFailureThreshold() < 1) {
			throw new InvalidConfigurationPropertyValueException("memquorum.failure-threshold",
					props.getFailureThreshold(), "It must be at least 1");
		}
		if (props.getHintCapacity() < 1) {
			throw new InvalidConfigurationPropertyValueException("memquorum.hint-capacity", props.getHintCapacity(),
					"It must be at least 1");
		}
		MemquorumProperties.Refill refill = props.getRefill();
		if (refill.getEntriesPerSecond() < 1) {
			throw new InvalidConfigurationPropertyValueException("memquorum.refill.entries-per-second",
					refill.getEntriesPerSecond(), "It must be at least 1");
		}
		if (refill.getBytesPerSecond().toBytes() < 1) {
			throw new InvalidConfigurationPropertyValueException("memquorum.refill.bytes-per-second",
					refill.getBytesPerSecond(), "It must be at least 1B");
		}
		if (!(refill.getLatencyFactor() > 1) || Double.isInfinite(refill.getLatencyFactor())) {
			throw new InvalidConfigurationPropertyValueException("memquorum.refill.latency-factor",
					refill.getLatencyFactor(), "It must be more than 1 (the foreground p99 may reach this many times "
							+ "its value before the refill)");
		}
		positive("memquorum.refill.check-interval", refill.getCheckInterval());
		if (refill.getLeaseTtl().compareTo(Duration.ofSeconds(2)) < 0) {
			throw new InvalidConfigurationPropertyValueException("memquorum.refill.lease-ttl", refill.getLeaseTtl(),
					"It must be at least 2s: memcached counts lifetimes in whole seconds and may end one a second early");
		}
		if (refill.getHeapLimit() != null && refill.getHeapLimit().toBytes() < DataSize.ofMegabytes(1).toBytes()) {
			throw new InvalidConfigurationPropertyValueException("memquorum.refill.heap-limit", refill.getHeapLimit(),
					"It must be at least 1MB");
		}
		long maxItemSize = props.getMaxItemSize().toBytes();
		if (maxItemSize < 1024 || maxItemSize > Integer.MAX_VALUE) {
			throw new InvalidConfigurationPropertyValueException("memquorum.max-item-size", props.getMaxItemSize(),
					"It must be between 1KB and 2GB, and match memcached's -I option");
		}
	}

	private static void positive(String name, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new InvalidConfigurationPropertyValueException(name, value, "It must be positive");
		}
	}

}
