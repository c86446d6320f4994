package io.memquorum.test;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A fixed set of independent {@link MemcachedNode memcached nodes}, each on its own
 * loopback port, as a replicated client sees them.
 */
public final class MemcachedCluster implements AutoCloseable {

	private final List<MemcachedNode> nodes;

	private MemcachedCluster(List<MemcachedNode> nodes) {
		this.nodes = nodes;
	}

	/**
	 * Start a cluster of nodes with {@linkplain MemcachedOptions#defaults() default
	 * options}.
	 * @param nodes the number of nodes, at least one
	 * @return the running cluster
	 * @throws MemcachedNotInstalledException if no memcached executable can be found
	 */
	public static MemcachedCluster start(int nodes) {
		return start(nodes, MemcachedOptions.defaults());
	}

	/**
	 * Start a cluster of nodes that all use the given options.
	 * @param nodes the number of nodes, at least one
	 * @param options the options for every node
	 * @return the running cluster
	 * @throws MemcachedNotInstalledException if no memcached executable can be found
	 */
	public static MemcachedCluster start(int nodes, MemcachedOptions options) {
		if (nodes < 1) {
			throw new IllegalArgumentException("A cluster needs at least one node, was " + nodes);
		}
		Objects.requireNonNull(options, "options");
		List<MemcachedNode> started = new ArrayList<>(nodes);
		try {
			for (int i = 0; i < nodes; i++) {
				started.add(MemcachedNode.start(options));
			}
		}
		catch (RuntimeException ex) {
			for (MemcachedNode node : started) {
				try {
					node.close();
				}
				catch (RuntimeException closeFailure) {
					ex.addSuppressed(closeFailure);
				}
			}
			throw ex;
		}
		return new MemcachedCluster(List.copyOf(started));
	}

	/**
	 * Return the nodes in the order they were started.
	 * @return an unmodifiable list of nodes
	 */
	public List<MemcachedNode> nodes() {
		return this.nodes;
	}

	/**
	 * Return one node.
	 * @param index the zero-based index of the node
	 * @return the node
	 */
	public MemcachedNode node(int index) {
		if (index < 0 || index >= this.nodes.size()) {
			throw new IndexOutOfBoundsException(
					"Node index " + index + " is out of range for a cluster of " + this.nodes.size() + " nodes");
		}
		return this.nodes.get(index);
	}

	/**
	 * Return the number of nodes.
	 * @return the cluster size
	 */
	public int size() {
		return this.nodes.size();
	}

	/**
	 * Return the address of every node in {@code host:port} form.
	 * @return an unmodifiable list of addresses, in node order
	 */
	public List<String> addresses() {
		return this.nodes.stream().map(MemcachedNode::address).toList();
	}

	/**
	 * Return the addresses as a comma-separated list, the format of the
	 * {@code memquorum.servers} property.
	 * @return for example {@code "127.0.0.1:38211,127.0.0.1:41903"}
	 */
	public String servers() {
		return this.nodes.stream().map(MemcachedNode::address).collect(Collectors.joining(","));
	}

	/**
	 * Bring every node back to running: resume paused nodes and restart killed ones,
	 * empty and on the same port.
	 */
	public void heal() {
		forEachNode((node) -> {
			if (node.isPaused()) {
				node.resume();
			}
			if (!node.isRunning()) {
				node.restartEmpty();
			}
		});
	}

	/**
	 * Flush every running node that is not paused, since a paused node cannot answer.
	 */
	public void flushAll() {
		forEachNode((node) -> {
			if (node.isRunning() && !node.isPaused()) {
				node.flushAll();
			}
		});
	}

	/**
	 * Kill every node. Safe to call more than once.
	 */
	@Override
	public void close() {
		forEachNode(MemcachedNode::close);
	}

	@Override
	public String toString() {
		return "MemcachedCluster" + this.nodes;
	}

	/**
	 * Apply an action to every node even if it fails for some, so that one broken node
	 * does not leave the others unhealed or running.
	 */
	private void forEachNode(Consumer<MemcachedNode> action) {
		RuntimeException failure = null;
		for (MemcachedNode node : this.nodes) {
			try {
				action.accept(node);
			}
			catch (RuntimeException ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

}
