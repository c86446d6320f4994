package io.memquorum.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeoutException;

import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.WriteQuorum;
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
		return new Memquorum(ReplicatedMemcached.builder()
			.servers(Arrays.asList(servers.split(",")))
			.writeQuorum(WriteQuorum.MAJORITY)
			.readConsistency(ReadConsistency.FIRST_HIT)
			.build());
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
	 * multi-get (which memquorum's connections do not do).
	 * @param address one {@code host:port}
	 * @param mergeGets whether xmemcached may merge concurrent gets (its default)
	 * @return the store
	 */
	static PlainXmemcached plainXmemcached(String address, boolean mergeGets) {
		try {
			MemcachedClient client = new XMemcachedClientBuilder(AddrUtil.getAddresses(address)).build();
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
