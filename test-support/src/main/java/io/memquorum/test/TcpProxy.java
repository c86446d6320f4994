package io.memquorum.test;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * A TCP proxy on the loopback interface in front of one memcached node, through which one
 * client sees faults that others, connected directly, do not:
 * <ul>
 * <li>a one-sided <b>partition</b>: while {@linkplain #partition() partitioned}, open
 * connections are closed and new ones are closed as soon as they are accepted;</li>
 * <li>a <b>slow link</b> ({@link #throttle}) from the node to the client;</li>
 * <li>an <b>error reply</b> ({@link #failWritesOf}): the node answers writes of chosen
 * keys with an error, while every other command (reads included) goes through untouched.
 * The error comes from memcached itself: the proxy replaces the two bytes that end the
 * data block of a text-protocol storage command ({@code set}, {@code add},
 * {@code replace}, {@code append}, {@code prepend}, {@code cas}) of that key; memcached
 * answers {@code CLIENT_ERROR bad data chunk}, stores nothing, and carries on with the
 * next command, so pipelined replies stay in order.</li>
 * </ul>
 * Only the client-to-node direction is parsed, by command; replies are copied as they
 * come.
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

	private static final Set<String> STORAGE_COMMANDS = Set.of("set", "add", "replace", "append", "prepend", "cas");

	private static final byte[] BAD_TERMINATOR = "XX".getBytes(StandardCharsets.US_ASCII);

	private final ServerSocket server;

	private final InetSocketAddress target;

	private final Set<Socket> open = ConcurrentHashMap.newKeySet();

	private volatile boolean partitioned;

	/** Pause per byte sent from the node to a client; 0 for none. */
	private volatile long nanosPerByte;

	private final AtomicInteger errorsCaused = new AtomicInteger();

	private volatile Predicate<String> failing = (key) -> false;

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

	/**
	 * From now on, the node answers every write of a matching key with an error reply.
	 * @param keys which keys, as sent on the wire
	 */
	public void failWritesOf(Predicate<String> keys) {
		this.failing = keys;
	}

	/** Let every write through again. */
	public void healWrites() {
		this.failing = (key) -> false;
	}

	/**
	 * How many writes the node answered with an error because of this proxy.
	 * @return the count since the proxy started
	 */
	public int errorsCaused() {
		return this.errorsCaused.get();
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
				start(() -> forwardCommands(client, upstream), client, upstream);
				start(() -> copyReplies(upstream, client), upstream, client);
			}
			catch (IOException ex) {
				if (this.closed) {
					return;
				}
			}
		}
	}

	private void start(IoTask task, Socket from, Socket to) {
		Thread thread = new Thread(() -> {
			try {
				task.run();
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

	/** Client to node, command by command, so a write's data block can be spoiled. */
	private void forwardCommands(Socket client, Socket upstream) throws IOException {
		InputStream in = new BufferedInputStream(client.getInputStream());
		OutputStream out = new BufferedOutputStream(upstream.getOutputStream());
		byte @Nullable [] line;
		while ((line = readLine(in)) != null && !this.partitioned) {
			out.write(line);
			String[] tokens = new String(line, StandardCharsets.US_ASCII).trim().split(" +");
			if (tokens.length >= 5 && STORAGE_COMMANDS.contains(tokens[0])) {
				byte[] data = in.readNBytes(Integer.parseInt(tokens[4]) + 2);
				if (this.failing.test(tokens[1]) && data.length >= 2) {
					System.arraycopy(BAD_TERMINATOR, 0, data, data.length - 2, 2);
					this.errorsCaused.incrementAndGet();
				}
				out.write(data);
			}
			if (in.available() == 0) {
				out.flush();
			}
		}
	}

	private static byte @Nullable [] readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream(64);
		int b;
		while ((b = in.read()) != -1) {
			line.write(b);
			if (b == '\n') {
				return line.toByteArray();
			}
		}
		return null;
	}

	/** Node to client, as it comes, at the throttled rate if any. */
	private void copyReplies(Socket from, Socket to) throws IOException, InterruptedException {
		byte[] buffer = new byte[16 * 1024];
		InputStream in = from.getInputStream();
		OutputStream out = to.getOutputStream();
		int read;
		while ((read = in.read(buffer)) != -1 && !this.partitioned) {
			out.write(buffer, 0, read);
			out.flush();
			long pause = read * this.nanosPerByte;
			if (pause > 0) {
				Thread.sleep(pause / 1_000_000L, (int) (pause % 1_000_000L));
			}
		}
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

	@FunctionalInterface
	private interface IoTask {

		void run() throws IOException, InterruptedException;

	}

}
