package io.memquorum.placement;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.memquorum.node.NodeAddress;
import io.memquorum.signing.Digests;

/**
 * A consistent-hash ring with virtual nodes. A key's replicas are the first
 * {@code replicationFactor} distinct nodes met walking clockwise from the key's hash.
 *
 * <p>
 * Each node owns {@code virtualNodes} points, derived from its address alone, so adding
 * or removing a node changes only the replica sets that this node joins or leaves; every
 * other key keeps its replicas. The ring depends on the configured node list only, never
 * on health.
 */
public final class ConsistentHashPlacement implements Placement {

	/**
	 * Points per node: enough to keep each node's share within a few percent of the mean.
	 */
	public static final int DEFAULT_VIRTUAL_NODES = 160;

	private final List<NodeAddress> nodes;

	private final int replicationFactor;

	private final long[] ringHashes;

	private final int[] ringOwners;

	public ConsistentHashPlacement(List<NodeAddress> nodes, int replicationFactor, int virtualNodes) {
		if (nodes.isEmpty()) {
			throw new IllegalArgumentException("At least one memcached node is required");
		}
		if (nodes.stream().distinct().count() != nodes.size()) {
			throw new IllegalArgumentException("Memcached nodes must be distinct, got " + nodes);
		}
		if (replicationFactor < 1 || replicationFactor > nodes.size()) {
			throw new IllegalArgumentException("Replication factor must be between 1 and the number of nodes ("
					+ nodes.size() + "), got " + replicationFactor);
		}
		if (virtualNodes < 1) {
			throw new IllegalArgumentException("Virtual nodes must be positive, got " + virtualNodes);
		}
		this.nodes = List.copyOf(nodes);
		this.replicationFactor = replicationFactor;
		int points = nodes.size() * virtualNodes;
		long[][] ring = new long[points][];
		int index = 0;
		for (int owner = 0; owner < nodes.size(); owner++) {
			String name = nodes.get(owner).toString();
			for (int point = 0; point < virtualNodes; point++) {
				ring[index++] = new long[] { hash(name + "#" + point), owner };
			}
		}
		// Ties are broken by the owner's address, not its position in the list, so the
		// ring
		// does not depend on the order in which nodes are configured.
		Arrays.sort(ring, (a, b) -> (a[0] != b[0]) ? Long.compareUnsigned(a[0], b[0])
				: nodes.get((int) a[1]).compareTo(nodes.get((int) b[1])));
		this.ringHashes = new long[points];
		this.ringOwners = new int[points];
		for (int i = 0; i < points; i++) {
			this.ringHashes[i] = ring[i][0];
			this.ringOwners[i] = (int) ring[i][1];
		}
	}

	@Override
	public List<NodeAddress> replicasFor(String key) {
		int start = firstPointAtOrAfter(hash(key));
		List<NodeAddress> replicas = new ArrayList<>(this.replicationFactor);
		boolean[] taken = new boolean[this.nodes.size()];
		for (int step = 0; step < this.ringOwners.length && replicas.size() < this.replicationFactor; step++) {
			int owner = this.ringOwners[(start + step) % this.ringOwners.length];
			if (!taken[owner]) {
				taken[owner] = true;
				replicas.add(this.nodes.get(owner));
			}
		}
		return replicas;
	}

	private int firstPointAtOrAfter(long hash) {
		int low = 0;
		int high = this.ringHashes.length - 1;
		if (Long.compareUnsigned(hash, this.ringHashes[high]) > 0) {
			return 0;
		}
		while (low < high) {
			int middle = (low + high) >>> 1;
			if (Long.compareUnsigned(this.ringHashes[middle], hash) < 0) {
				low = middle + 1;
			}
			else {
				high = middle;
			}
		}
		return low;
	}

	@Override
	public int replicationFactor() {
		return this.replicationFactor;
	}

	@Override
	public List<NodeAddress> nodes() {
		return this.nodes;
	}

	private static long hash(String text) {
		// MD5 spreads points evenly and is what ketama uses; security does not matter
		// here.
		byte[] digest = Digests.md5().digest(text.getBytes(StandardCharsets.UTF_8));
		long value = 0;
		for (int i = 0; i < 8; i++) {
			value = (value << 8) | (digest[i] & 0xFF);
		}
		return value;
	}

	@Override
	public String toString() {
		return "ConsistentHashPlacement[replicationFactor=" + this.replicationFactor + ", nodes=" + this.nodes + "]";
	}

}
