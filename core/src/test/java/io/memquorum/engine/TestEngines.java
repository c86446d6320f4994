package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Opens engines on a test cluster and closes every one of them after each test.
 */
public final class TestEngines implements AfterEachCallback {

	private final MemcachedClusterExtension memcached;

	private final UnaryOperator<ReplicatedMemcached.Builder> defaults;

	private final List<ReplicatedMemcached> open = new ArrayList<>();

	/**
	 * Settings under which failures are noticed and recovered from quickly.
	 * @param operationTimeout the operation timeout
	 * @return the settings
	 */
	public static UnaryOperator<ReplicatedMemcached.Builder> quickToNoticeFailures(Duration operationTimeout) {
		return (builder) -> builder.operationTimeout(operationTimeout)
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(400))
			.restartCheckInterval(Duration.ofMillis(300))
			.reconnectInterval(Duration.ofMillis(200));
	}

	public static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * A registered merge for tests: the union of the letters of both copies, a join.
	 * @param held the copy held, if any
	 * @param incoming the copy arriving
	 * @return the union, or {@code null} when {@code held} already has every letter
	 */
	public static @Nullable Envelope unionOfLetters(@Nullable Envelope held, Envelope incoming) {
		if (held == null || !held.isValue()) {
			return incoming;
		}
		String union = new String(held.payload(), StandardCharsets.UTF_8)
			.concat(new String(incoming.payload(), StandardCharsets.UTF_8))
			.chars()
			.distinct()
			.sorted()
			.collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
			.toString();
		if (union.equals(new String(held.payload(), StandardCharsets.UTF_8))) {
			return null;
		}
		return Envelope.value(Math.max(held.version(), incoming.version()), 0, bytes(union));
	}

	public static NodeStatus status(ReplicatedMemcached engine, int index) {
		return engine.nodeStatus().get(index);
	}

	/**
	 * What one replica holds under a key, read straight from memcached.
	 * @param node the replica
	 * @param key the memcached key
	 * @return the envelope, or {@code null} when it holds nothing readable
	 */
	public static @Nullable Envelope envelopeOn(MemcachedNode node, String key) {
		byte[] raw = node.rawGet(key);
		return (raw != null) ? Envelope.decode(Envelope.FLAGS, raw) : null;
	}

	public TestEngines(MemcachedClusterExtension memcached, UnaryOperator<ReplicatedMemcached.Builder> defaults) {
		this.memcached = memcached;
		this.defaults = defaults;
	}

	public ReplicatedMemcached open(UnaryOperator<ReplicatedMemcached.Builder> settings) {
		ReplicatedMemcached engine = settings
			.apply(this.defaults.apply(ReplicatedMemcached.builder().servers(this.memcached.cluster().addresses())))
			.build();
		this.open.add(engine);
		return engine;
	}

	public ReplicatedMemcached open(ReadConsistency readConsistency) {
		return open((builder) -> builder.readConsistency(readConsistency));
	}

	@Override
	public void afterEach(ExtensionContext context) {
		this.open.forEach(ReplicatedMemcached::close);
		this.open.clear();
	}

}
