package io.memquorum.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on the loopback interface in front of one memcached node, so that one
 * client can be cut off from the node while others still reach it: a one-sided partition.
 * While {@linkplain #partition() partitioned}, open connections are closed and new ones
 * are closed as soon as they are accepted.
 *
 * <pre>
 * try (TcpProxy proxy = TcpProxy.to(node)) {
 *     engine = builder.servers(proxy.address(), ...)
 *     proxy.partition();
 *     ...
 *     proxy.heal();
 * }
 * </pre>
 */
public final class TcpProxy implements AutoCloseable {

	private final ServerSocket server;

	private final InetSocketAddress target;

	private final Set<Socket> open = ConcurrentHashMap.newKeySet();

	private volatile boolean partitioned;

	/** Pause per byte sent from the node to a client; 0 for none. */
	private volatile long nanosPerByte;

	private volatile boolean closed;

	private TcpProxy(InetSocketAddress target) throws IOException {
		this.target = target;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "tcp-proxy-" + this.server.getLocalPort());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/**
	 * Start a proxy to a node.
	 * @param node the node
	 * @return the running proxy
	 */
	public static TcpProxy to(MemcachedNode node) {
		try {
			return new TcpProxy(new InetSocketAddress(node.host(), node.port()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start a proxy to " + node.address(), ex);
		}
	}

	/**
	 * The address clients connect to instead of the node's.
	 * @return {@code host:port}
	 */
	public String address() {
		return "127.0.0.1:" + this.server.getLocalPort();
	}

	/** Cut the clients of this proxy off from the node. */
	public void partition() {
		this.partitioned = true;
		for (Socket socket : this.open) {
			closeQuietly(socket);
		}
	}

	/** Let clients reach the node again. */
	public void heal() {
		this.partitioned = false;
	}

	/**
	 * Slow down what the node sends to each client to about this many bytes per second
	 * and connection: a slow link, under which a long reply such as a key listing takes
	 * its time while short replies pass almost as before.
	 * @param bytesPerSecond the rate, at least 1
	 */
	public void throttle(long bytesPerSecond) {
		if (bytesPerSecond < 1) {
			throw new IllegalArgumentException("A throttle needs at least 1 byte per second, got " + bytesPerSecond);
		}
		this.nanosPerByte = 1_000_000_000L / bytesPerSecond;
	}

	/** Send at full speed again. */
	public void unthrottle() {
		this.nanosPerByte = 0;
	}

	private void accept() {
		while (!this.closed) {
			try {
				Socket client = this.server.accept();
				if (this.partitioned) {
					closeQuietly(client);
					continue;
				}
				Socket upstream = new Socket();
				upstream.connect(this.target, 1000);
				this.open.add(client);
				this.open.add(upstream);
				pipe(client, upstream, false);
				pipe(upstream, client, true);
			}
			catch (IOException ex) {
				if (this.closed) {
					return;
				}
			}
		}
	}

	private void pipe(Socket from, Socket to, boolean throttled) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16 * 1024];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) != -1) {
					if (this.partitioned) {
						break;
					}
					out.write(buffer, 0, read);
					out.flush();
					long pause = throttled ? read * this.nanosPerByte : 0;
					if (pause > 0) {
						Thread.sleep(pause / 1_000_000L, (int) (pause % 1_000_000L));
					}
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (IOException ex) {
				// The other side closed, or the proxy partitioned: end both.
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
			}
		}, "tcp-proxy-pipe");
		thread.setDaemon(true);
		thread.start();
	}

	private void closeQuietly(Socket socket) {
		this.open.remove(socket);
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Closing is best effort.
		}
	}

	@Override
	public void close() {
		this.closed = true;
		partition();
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// Closing is best effort.
		}
	}

}
