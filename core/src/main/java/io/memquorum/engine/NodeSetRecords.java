package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.memquorum.node.HostLookup;
import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeConnection.StoredValue;
import io.memquorum.node.StoredItem;
import io.memquorum.signing.LineSigner;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node sets application instances place keys by, published on the nodes themselves,
 * so that an instance learns of another that sees a different set: one that resolved DNS
 * differently for a moment, or one started with another static list during a rolling
 * update of the application. While another live instance publishes a different set, the
 * engine keeps both placements in force ({@link MembershipChanges}).
 *
 * <h2>Wire format</h2> One memcached item per node under the internal key
 * {@code <prefix>:memquorum:nodesets}, flags 0, holding one line per instance:
 * {@code nodeset instance=<random id> r=<replicas> until=<epoch ms> nodes=<host:port>,...},
 * followed by {@code  sig=<hex>} when signing keys are set ({@link LineSigner#NODE_SET}).
 * Each instance rewrites the item on every node it knows every interval with
 * compare-and-swap, keeping the other instances' lines that have not expired and
 * replacing its own; a line lives three intervals. The item lives as long.
 *
 * <h2>Trust</h2> The bytes are read as untrusted: a line that does not parse, names more
 * than {@link #MAX_NODES} nodes, or (with signing keys) is unsigned or wrongly signed is
 * ignored. Without signing keys a line is trusted as memcached is.
 *
 * <h2>Concurrency</h2> Runs on its own thread and waits for each node's answer, at most
 * the command wait; nothing here runs on a reactor or the maintenance thread.
 */
final class NodeSetRecords {

	private static final Logger logger = LoggerFactory.getLogger(ReplicatedMemcached.class);

	static final String NAME = "nodesets";

	/** Lines kept per item: instances beyond it are dropped, oldest first. */
	static final int MAX_LINES = 64;

	static final int MAX_NODES = 256;

	private static final int CAS_ATTEMPTS = 3;

	private final EngineState state;

	private final String instance = UUID.randomUUID().toString();

	private final String key;

	private final Duration lifetime;

	private final Duration commandWait;

	private final @Nullable LineSigner signer;

	private final @Nullable HostLookup hostLookup;

	NodeSetRecords(EngineState state, Duration interval, Duration commandWait, @Nullable HostLookup hostLookup) {
		this.state = state;
		this.key = state.keyEncoder.internalKey(NAME);
		this.lifetime = interval.multipliedBy(3);
		this.commandWait = commandWait;
		this.signer = (state.signer != null) ? state.signer.lineSigner(LineSigner.NODE_SET) : null;
		this.hostLookup = hostLookup;
	}

	/**
	 * Publish this instance's node set on every node of the current view and read what
	 * the others publish.
	 * @param own the nodes this instance places keys by
	 * @param replicationFactor its replication factor
	 * @return the sets other live instances publish that differ from {@code own}
	 */
	List<Published> refresh(List<NodeAddress> own, int replicationFactor) {
		long now = this.state.wallClock.getAsLong();
		String line = line(own, replicationFactor, now + this.lifetime.toMillis());
		Map<String, Published> seen = new LinkedHashMap<>();
		for (Node node : this.state.membership().allNodes()) {
			if (!node.isWritable()) {
				continue;
			}
			try {
				publishOn(node, line, now, seen);
			}
			catch (RuntimeException ex) {
				logger.debug("Could not publish the node set on {}: {}", node.address, ex.getMessage());
			}
		}
		Set<NodeAddress> ownSet = new HashSet<>(own);
		List<Published> others = new ArrayList<>();
		for (Published published : seen.values()) {
			if (!published.instance().equals(this.instance) && published.until() > now
					&& (published.replicationFactor() != replicationFactor
							|| !new HashSet<>(published.nodes()).equals(ownSet))) {
				others.add(published);
			}
		}
		return others;
	}

	private void publishOn(Node node, String line, long now, Map<String, Published> seen) {
		int expiry = (int) Math.max(1, this.lifetime.toSeconds());
		for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
			StoredItem item = await(node.connection().gets(this.key), node);
			List<String> kept = new ArrayList<>();
			if (item != null && item.flags() == 0 && item.length() <= 64 * 1024) {
				for (String stored : new String(item.data(), StandardCharsets.UTF_8).split("\n")) {
					Published published = parse(stored);
					if (published == null || published.until() <= now) {
						continue;
					}
					seen.merge(published.instance(), published, (a, b) -> (a.until() >= b.until()) ? a : b);
					if (!published.instance().equals(this.instance)) {
						kept.add(stored);
					}
				}
			}
			while (kept.size() >= MAX_LINES) {
				kept.remove(0);
			}
			kept.add(line);
			StoredValue value = new StoredValue(0, String.join("\n", kept).getBytes(StandardCharsets.UTF_8));
			boolean stored = (item == null) ? await(node.connection().add(this.key, expiry, value), node)
					: await(node.connection().cas(this.key, expiry, value, item.cas()), node);
			if (stored) {
				return;
			}
		}
	}

	private String line(List<NodeAddress> nodes, int replicationFactor, long until) {
		StringBuilder line = new StringBuilder("nodeset instance=").append(this.instance)
			.append(" r=")
			.append(replicationFactor)
			.append(" until=")
			.append(until)
			.append(" nodes=");
		for (int i = 0; i < nodes.size(); i++) {
			line.append((i > 0) ? "," : "").append(nodes.get(i));
		}
		return (this.signer != null) ? this.signer.sign(this.key, line.toString()) : line.toString();
	}

	/**
	 * One stored line, or {@code null} when it is malformed, or unsigned or wrongly
	 * signed while this engine has signing keys.
	 */
	@Nullable Published parse(String stored) {
		String line = stored;
		if (this.signer != null) {
			line = this.signer.verified(this.key, stored);
			if (line == null) {
				logger.debug("Ignored a node set record that is not signed with this application's keys");
				return null;
			}
		}
		String[] fields = line.split(" ");
		if (fields.length != 5 || !fields[0].equals("nodeset") || !fields[1].startsWith("instance=")
				|| !fields[2].startsWith("r=") || !fields[3].startsWith("until=") || !fields[4].startsWith("nodes=")) {
			return null;
		}
		try {
			int replicationFactor = Integer.parseInt(fields[2].substring(2));
			long until = Long.parseLong(fields[3].substring(6));
			String[] names = fields[4].substring(6).split(",");
			if (names.length > MAX_NODES || replicationFactor < 1 || replicationFactor > names.length) {
				return null;
			}
			List<NodeAddress> nodes = new ArrayList<>(names.length);
			for (String name : names) {
				NodeAddress node = NodeAddress.parse(name).lookedUpBy(this.hostLookup);
				if (nodes.contains(node)) {
					return null;
				}
				nodes.add(node);
			}
			return new Published(fields[1].substring(9), nodes, replicationFactor, until);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private <T> T await(CompletableFuture<T> future, Node node) {
		try {
			return future.get(this.commandWait.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(node.address + ": " + ex.getCause().getMessage(), ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException(node.address + " did not answer in " + this.commandWait.toMillis() + " ms",
					ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}

	/**
	 * The set another instance published.
	 *
	 * @param instance its random id
	 * @param nodes its nodes, in its order
	 * @param replicationFactor its replication factor
	 * @param until when its line expires, epoch milliseconds
	 */
	record Published(String instance, List<NodeAddress> nodes, int replicationFactor, long until) {

		boolean sameSetAs(Collection<NodeAddress> others) {
			return new HashSet<>(this.nodes).equals(new HashSet<>(others));
		}

	}

}
