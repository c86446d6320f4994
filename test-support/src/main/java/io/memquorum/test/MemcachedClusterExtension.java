package io.memquorum.test;

import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit Jupiter extension that runs a {@link MemcachedCluster} for a test class and gives
 * every test clean, running nodes.
 * <p>
 * Register it on a static field so that one cluster serves the whole class:
 * <pre class="code">
 * &#064;RegisterExtension
 * static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);
 * </pre> The cluster starts before all tests and is closed after them. Before each test,
 * paused nodes are resumed, killed nodes are restarted on their ports and, unless
 * {@link #flushBeforeEach(boolean) disabled}, every node is flushed, so a test that
 * breaks nodes does not affect the next one. Registered on an instance field, the cluster
 * starts before the first test that uses it and is closed when the test instance's
 * lifecycle ends. Test and lifecycle methods can declare a {@link MemcachedCluster}
 * parameter to receive the cluster.
 * <p>
 * One instance should not be shared by test classes that run concurrently.
 */
public final class MemcachedClusterExtension
		implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {

	private final int nodes;

	private final MemcachedOptions options;

	private volatile boolean flushBeforeEach = true;

	private @Nullable MemcachedCluster cluster;

	private @Nullable String startedBy;

	/**
	 * Create an extension for a cluster of nodes with
	 * {@linkplain MemcachedOptions#defaults() default options}.
	 * @param nodes the number of nodes, at least one
	 */
	public MemcachedClusterExtension(int nodes) {
		this(nodes, MemcachedOptions.defaults());
	}

	/**
	 * Create an extension for a cluster of nodes that all use the given options.
	 * @param nodes the number of nodes, at least one
	 * @param options the options for every node
	 */
	public MemcachedClusterExtension(int nodes, MemcachedOptions options) {
		if (nodes < 1) {
			throw new IllegalArgumentException("A cluster needs at least one node, was " + nodes);
		}
		this.nodes = nodes;
		this.options = Objects.requireNonNull(options, "options");
	}

	/**
	 * Set whether every node is flushed before each test, which is the default. Restarted
	 * nodes are always empty.
	 * @param flush whether to flush before each test
	 * @return this extension
	 */
	public MemcachedClusterExtension flushBeforeEach(boolean flush) {
		this.flushBeforeEach = flush;
		return this;
	}

	/**
	 * Return the running cluster.
	 * @return the cluster
	 * @throws IllegalStateException if the cluster has not been started or has already
	 * been closed
	 */
	public synchronized MemcachedCluster cluster() {
		MemcachedCluster current = this.cluster;
		if (current == null) {
			throw new IllegalStateException("The memcached cluster is not running: it starts before all tests when "
					+ "the extension is registered on a static field, or before each test on an instance field");
		}
		return current;
	}

	@Override
	public synchronized void beforeAll(ExtensionContext context) {
		if (this.cluster == null) {
			this.cluster = MemcachedCluster.start(this.nodes, this.options);
			this.startedBy = context.getUniqueId();
		}
	}

	@Override
	public synchronized void afterAll(ExtensionContext context) {
		// Nested classes inherit the extension and call back here when they finish, but
		// the cluster belongs to the class that started it.
		MemcachedCluster current = this.cluster;
		if (current != null && context.getUniqueId().equals(this.startedBy)) {
			this.cluster = null;
			this.startedBy = null;
			current.close();
		}
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		MemcachedCluster current = startIfNecessary(context);
		current.heal();
		if (this.flushBeforeEach) {
			current.flushAll();
		}
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == MemcachedCluster.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		try {
			return startIfNecessary(extensionContext);
		}
		catch (RuntimeException ex) {
			throw new ParameterResolutionException(
					"Could not start the memcached cluster for " + parameterContext.getParameter(), ex);
		}
	}

	/**
	 * Start the cluster if {@link #beforeAll} did not, which happens when the extension
	 * is registered on an instance field. JUnit then never calls {@link #afterAll}, so
	 * the cluster is handed to the store of the context in which the test instance lives,
	 * which closes it when that context ends.
	 */
	private synchronized MemcachedCluster startIfNecessary(ExtensionContext context) {
		MemcachedCluster current = this.cluster;
		if (current != null) {
			return current;
		}
		current = MemcachedCluster.start(this.nodes, this.options);
		this.cluster = current;
		ExtensionContext owner = instanceScope(context);
		owner.getStore(ExtensionContext.Namespace.create(MemcachedClusterExtension.class, this))
			.put(MemcachedCluster.class, new Lease(current));
		return current;
	}

	private static ExtensionContext instanceScope(ExtensionContext context) {
		boolean perClass = context.getTestInstanceLifecycle()
			.map((lifecycle) -> lifecycle == TestInstance.Lifecycle.PER_CLASS)
			.orElse(false);
		if (perClass && context.getTestMethod().isPresent()) {
			return context.getParent().orElse(context);
		}
		return context;
	}

	private synchronized void release(MemcachedCluster leased) {
		if (this.cluster == leased) {
			this.cluster = null;
		}
		leased.close();
	}

	/**
	 * Closes a lazily started cluster when the store that holds it is closed.
	 */
	private final class Lease implements AutoCloseable {

		private final MemcachedCluster leased;

		Lease(MemcachedCluster leased) {
			this.leased = leased;
		}

		@Override
		public void close() {
			release(this.leased);
		}

	}

}
