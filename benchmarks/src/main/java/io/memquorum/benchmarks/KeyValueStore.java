package io.memquorum.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.WriteQuorum;
import io.memquorum.signing.EntrySigner;
import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeConnection;
import io.memquorum.node.NodeConnection.StoredValue;
import io.memquorum.node.StoredItem;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.exception.MemcachedException;
import net.rubyeye.xmemcached.utils.AddrUtil;
import org.jspecify.annotations.Nullable;

/**
 * The two operations the benchmarks compare, over whichever client a benchmark measures:
 * memquorum's engine, or a plain xmemcached client talking to one address (a single
 * memcached node, or a proxy).
 */
public interface KeyValueStore extends AutoCloseable {

	byte @Nullable [] get(String key);

	void set(String key, byte[] value);

	@Override
	void close();

	/**
	 * memquorum's engine with every node as a replica (R = number of nodes), MAJORITY
	 * writes and FIRST_HIT reads: the defaults.
	 * @param servers the nodes, comma-separated {@code host:port}
	 * @return the store
	 */
	static Memquorum memquorum(String servers) {
		return memquorum(servers, null);
	}

	/**
	 * memquorum's engine as {@link #memquorum(String)}, signing every entry it stores and
	 * verifying every entry it reads when {@code signer} is given.
	 * @param servers the nodes, comma-separated {@code host:port}
	 * @param signer the entry signer, or {@code null} for unsigned entries
	 * @return the store
	 */
	static Memquorum memquorum(String servers, @Nullable EntrySigner signer) {
		return new Memquorum(ReplicatedMemcached.builder()
			.servers(Arrays.asList(servers.split(",")))
			.writeQuorum(WriteQuorum.MAJORITY)
			.readConsistency(ReadConsistency.FIRST_HIT)
			.signer(signer)
			.build());
	}

	/**
	 * memquorum's engine as built by the caller.
	 * @param engine the engine
	 * @return the store
	 */
	static Memquorum memquorum(ReplicatedMemcached engine) {
		return new Memquorum(engine);
	}

	/**
	 * A plain xmemcached client with its defaults (one connection, merged gets, the
	 * serializing transcoder, which stores {@code byte[]} as is), as an application
	 * without replication would use it.
	 * @param address one {@code host:port}: a memcached node or a proxy
	 * @return the store
	 */
	static PlainXmemcached plainXmemcached(String address) {
		return plainXmemcached(address, true);
	}

	/**
	 * A plain xmemcached client, optionally without merging concurrent gets into one
	 * multi-get (memquorum's connections merge theirs).
	 * @param address one {@code host:port}
	 * @param mergeGets whether xmemcached may merge concurrent gets (its default)
	 * @return the store
	 */
	static PlainXmemcached plainXmemcached(String address, boolean mergeGets) {
		return plainXmemcached(address, mergeGets, true);
	}

	/**
	 * A plain xmemcached client, optionally without compressing large values (its
	 * transcoder gzips values over 16 KB by default; memquorum never compresses, so the
	 * value-size curve compares the two without it).
	 * @param address one {@code host:port}
	 * @param mergeGets whether xmemcached may merge concurrent gets (its default)
	 * @param compress whether values over 16 KB are compressed (its default)
	 * @return the store
	 */
	@SuppressWarnings("unchecked")
	static PlainXmemcached plainXmemcached(String address, boolean mergeGets, boolean compress) {
		try {
			MemcachedClient client = new XMemcachedClientBuilder(AddrUtil.getAddresses(address)).build();
			if (!compress) {
				client.getTranscoder().setCompressionThreshold(Integer.MAX_VALUE);
			}
			// Proxies such as twemproxy do not implement the "version" command that the
			// heartbeat sends; without the heartbeat, both targets are treated alike.
			client.setEnableHeartBeat(false);
			client.setOptimizeGet(mergeGets);
			return new PlainXmemcached(client);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not connect to " + address, ex);
		}
	}

	/**
	 * The floor of a quorum write with memquorum's own connection layer and nothing else:
	 * the raw value sent to every node at once over {@link NodeConnection}, done when
	 * {@code required} nodes acknowledged. No envelope, no versions, no hints, no failure
	 * detection. The gap between this and {@link #memquorum} is the engine's own cost;
	 * the gap between this and a single-node set is what waiting for a second node costs
	 * on the machine.
	 * @param servers the nodes, comma-separated {@code host:port}
	 * @param required how many acknowledgements a set waits for
	 * @return the store
	 */
	static ParallelWrites parallelWrites(String servers, int required) {
		List<NodeConnection> connections = new ArrayList<>();
		try {
			for (String server : servers.split(",")) {
				connections.add(new NodeConnection(NodeAddress.parse(server), Duration.ofSeconds(1),
						Duration.ofMillis(250), Duration.ofMillis(500)));
			}
		}
		catch (IOException ex) {
			connections.forEach(NodeConnection::close);
			throw new UncheckedIOException("Could not connect to " + servers, ex);
		}
		return new ParallelWrites(connections, required);
	}

	/**
	 * Raw parallel writes through memquorum's connection layer; see
	 * {@link #parallelWrites}.
	 */
	final class ParallelWrites implements KeyValueStore {

		private final List<NodeConnection> connections;

		private final int required;

		ParallelWrites(List<NodeConnection> connections, int required) {
			this.connections = connections;
			this.required = required;
		}

		@Override
		public byte @Nullable [] get(String key) {
			StoredItem item = this.connections.get(0).gets(key).join();
			return (item != null) ? item.data() : null;
		}

		@Override
		public void set(String key, byte[] value) {
			CompletableFuture<Void> quorum = new CompletableFuture<>();
			AtomicInteger acknowledged = new AtomicInteger();
			StoredValue stored = new StoredValue(0, value);
			for (NodeConnection connection : this.connections) {
				connection.set(key, 0, stored).whenComplete((ok, failure) -> {
					if (failure == null && Boolean.TRUE.equals(ok) && acknowledged.incrementAndGet() == this.required) {
						quorum.complete(null);
					}
					else if (failure != null) {
						quorum.completeExceptionally(failure);
					}
				});
			}
			quorum.join();
		}

		@Override
		public void close() {
			this.connections.forEach(NodeConnection::close);
		}

	}

	/** memquorum's replication engine. */
	final class Memquorum implements KeyValueStore {

		private final ReplicatedMemcached engine;

		Memquorum(ReplicatedMemcached engine) {
			this.engine = engine;
		}

		public ReplicatedMemcached engine() {
			return this.engine;
		}

		@Override
		public byte @Nullable [] get(String key) {
			return this.engine.get(key);
		}

		@Override
		public void set(String key, byte[] value) {
			this.engine.set(key, value, Duration.ZERO);
		}

		@Override
		public void close() {
			this.engine.close();
		}

		@Override
		public String toString() {
			return this.engine.toString();
		}

	}

	/** A plain xmemcached client on one address. */
	final class PlainXmemcached implements KeyValueStore {

		private final MemcachedClient client;

		PlainXmemcached(MemcachedClient client) {
			this.client = client;
		}

		@Override
		public byte @Nullable [] get(String key) {
			try {
				return this.client.get(key);
			}
			catch (TimeoutException | MemcachedException ex) {
				throw new IllegalStateException("get " + key + " failed", ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted", ex);
			}
		}

		@Override
		public void set(String key, byte[] value) {
			try {
				if (!this.client.set(key, 0, value)) {
					throw new IllegalStateException("set " + key + " was not stored");
				}
			}
			catch (TimeoutException | MemcachedException ex) {
				throw new IllegalStateException("set " + key + " failed", ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted", ex);
			}
		}

		@Override
		public void close() {
			try {
				this.client.shutdown();
			}
			catch (IOException ex) {
				// nothing left to release
			}
		}

	}

}
