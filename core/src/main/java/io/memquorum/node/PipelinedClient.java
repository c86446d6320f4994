package io.memquorum.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.code.yanf4j.config.Configuration;
import com.google.code.yanf4j.core.Session;
import com.google.code.yanf4j.core.SocketOption;
import com.google.code.yanf4j.core.impl.StandardSocketOption;
import net.rubyeye.xmemcached.CommandFactory;
import net.rubyeye.xmemcached.MemcachedSessionComparator;
import net.rubyeye.xmemcached.MemcachedSessionLocator;
import net.rubyeye.xmemcached.XMemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.buffer.BufferAllocator;
import net.rubyeye.xmemcached.buffer.SimpleBufferAllocator;
import net.rubyeye.xmemcached.command.TextCommandFactory;
import net.rubyeye.xmemcached.impl.ArrayMemcachedSessionLocator;
import net.rubyeye.xmemcached.impl.IndexMemcachedSessionComparator;
import net.rubyeye.xmemcached.impl.MemcachedConnector;
import org.jspecify.annotations.Nullable;

/**
 * The xmemcached client for exactly one node. Subclassing gives access to the connector,
 * so commands are written to the node's session directly and awaited through their
 * latches.
 */
final class PipelinedClient extends XMemcachedClient {

	private final InetSocketAddress socketAddress;

	private volatile @Nullable Session session;

	@SuppressWarnings("unchecked")
	PipelinedClient(NodeAddress address, long connectTimeoutMillis, long reconnectIntervalMillis) throws IOException {
		super(new ArrayMemcachedSessionLocator(), new IndexMemcachedSessionComparator(), new SimpleBufferAllocator(),
				XMemcachedClientBuilder.getDefaultConfiguration(), socketOptions(), new TextCommandFactory(),
				NodeConnection.RAW, singleServer(address), List.of(), Map.of(), 1, connectTimeoutMillis,
				"memquorum-" + address, false, true);
		this.socketAddress = address.toSocketAddress();
		setHealSessionInterval(reconnectIntervalMillis);
		setEnableHeartBeat(false);
	}

	/**
	 * xmemcached's socket options without its fixed buffer sizes. Its 32 KB send buffer
	 * stalls every large value (a 256 KB set took 175 ms on loopback, against under 1 ms
	 * with the buffer left to the kernel): a fixed size turns off the kernel's buffer
	 * tuning.
	 */
	private static Map<SocketOption, Object> socketOptions() {
		Map<SocketOption, Object> options = XMemcachedClientBuilder.getDefaultSocketOptions();
		options.remove(StandardSocketOption.SO_SNDBUF);
		options.remove(StandardSocketOption.SO_RCVBUF);
		return options;
	}

	private static Map<InetSocketAddress, InetSocketAddress> singleServer(NodeAddress address) {
		Map<InetSocketAddress, InetSocketAddress> map = new LinkedHashMap<>();
		map.put(address.toSocketAddress(), null);
		return map;
	}

	/**
	 * Concurrent single-key gets queued on this connection go out as one multi-get, and
	 * each command still gets its own reply and latch: xmemcached's gets by its
	 * optimizer, split gets by {@link SplitGetsMerging}. Under load this saves a write
	 * and a memcached dispatch per key.
	 */
	@Override
	protected MemcachedConnector newConnector(BufferAllocator bufferAllocator, Configuration configuration,
			MemcachedSessionLocator locator, MemcachedSessionComparator comparator, CommandFactory commandFactory,
			int poolSize, int maxQueuedNoReplyOperations) {
		configuration.setDispatchMessageThreadCount(0);
		return new SplitGetsMerging.Connector(configuration, locator, comparator, bufferAllocator, commandFactory,
				poolSize, maxQueuedNoReplyOperations);
	}

	CommandFactory commandFactory() {
		return this.commandFactory;
	}

	InetSocketAddress socketAddress() {
		return this.socketAddress;
	}

	void closeSessions() {
		this.connector.shuttingDown();
		for (Session session : this.connector.getSessionSet()) {
			session.close();
		}
	}

	@Nullable Session openSession() {
		// Every command asks: reuse the open session rather than let xmemcached copy
		// its session set into a new HashSet per command.
		Session known = this.session;
		if (known != null && !known.isClosed()) {
			return known;
		}
		for (Session session : this.connector.getSessionSet()) {
			if (!session.isClosed()) {
				this.session = session;
				return session;
			}
		}
		return null;
	}

}
