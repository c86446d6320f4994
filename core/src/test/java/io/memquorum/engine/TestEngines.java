package io.memquorum.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Opens engines on a test cluster and closes every one of them after each test.
 */
final class TestEngines implements AfterEachCallback {

	private final MemcachedClusterExtension memcached;

	private final UnaryOperator<ReplicatedMemcached.Builder> defaults;

	private final List<ReplicatedMemcached> open = new ArrayList<>();

	TestEngines(MemcachedClusterExtension memcached, UnaryOperator<ReplicatedMemcached.Builder> defaults) {
		this.memcached = memcached;
		this.defaults = defaults;
	}

	ReplicatedMemcached open(UnaryOperator<ReplicatedMemcached.Builder> settings) {
		ReplicatedMemcached engine = settings
			.apply(this.defaults.apply(ReplicatedMemcached.builder().servers(this.memcached.cluster().addresses())))
			.build();
		this.open.add(engine);
		return engine;
	}

	ReplicatedMemcached open(ReadConsistency readConsistency) {
		return open((builder) -> builder.readConsistency(readConsistency));
	}

	@Override
	public void afterEach(ExtensionContext context) {
		this.open.forEach(ReplicatedMemcached::close);
		this.open.clear();
	}

}
