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
 * A TCP proxy on the loopback interface in front of one memcached node that can make the
 * node answer writes of chosen keys with an error reply, while every other command (reads
 * included) goes through untouched: the "error reply" fault.
 *
 * <p>
 * The error comes from memcached itself. While a key {@linkplain #failWritesOf matches},
 * the proxy replaces the two bytes that end the data block of a text-protocol storage
 * command ({@code set}, {@code add}, {@code replace}, {@code append}, {@code prepend},
 * {@code cas}) of that key; memcached then answers {@code CLIENT_ERROR bad data chunk},
 * stores nothing, and carries on with the next command, so pipelined replies stay in
 * order. Only the client-to-node direction is parsed; replies are copied as they come.
 *
 * <pre>
 * try (ErrorReplyProxy proxy = ErrorReplyProxy.to(node)) {
 *     engine = builder.servers(proxy.address(), ...)
 *     proxy.failWritesOf(key::equals);
 *     ...
 *     proxy.healWrites();
 * }
 * </pre>
 */
public final class ErrorReplyProxy implements AutoCloseable {

	private static final Set<String> STORAGE_COMMANDS = Set.of("set", "add", "replace", "append", "prepend", "cas");

	private static final byte[] BAD_TERMINATOR = "XX".getBytes(StandardCharsets.US_ASCII);

	private final ServerSocket server;

	private final InetSocketAddress target;

	private final Set<Socket> open = ConcurrentHashMap.newKeySet();

	private final AtomicInteger errorsCaused = new AtomicInteger();

	private volatile Predicate<String> failing = (key) -> false;

	private volatile boolean closed;

	private ErrorReplyProxy(InetSocketAddress target) throws IOException {
		this.target = target;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "error-reply-proxy-" + this.server.getLocalPort());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/**
	 * Start a proxy to a node.
	 * @param node the node
	 * @return the running proxy
	 */
	public static ErrorReplyProxy to(MemcachedNode node) {
		try {
			return new ErrorReplyProxy(new InetSocketAddress(node.host(), node.port()));
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
				Socket upstream = new Socket();
				upstream.connect(this.target, 1000);
				this.open.add(client);
				this.open.add(upstream);
				start(() -> forwardCommands(client, upstream), client, upstream);
				start(() -> copy(upstream, client), upstream, client);
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
			catch (IOException ex) {
				// The other side closed, or the proxy closed: end both.
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
			}
		}, "error-reply-proxy-pipe");
		thread.setDaemon(true);
		thread.start();
	}

	private void forwardCommands(Socket client, Socket upstream) throws IOException {
		InputStream in = new BufferedInputStream(client.getInputStream());
		OutputStream out = new BufferedOutputStream(upstream.getOutputStream());
		byte @Nullable [] line;
		while ((line = readLine(in)) != null) {
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

	private static void copy(Socket from, Socket to) throws IOException {
		byte[] buffer = new byte[16 * 1024];
		InputStream in = from.getInputStream();
		OutputStream out = to.getOutputStream();
		int read;
		while ((read = in.read(buffer)) != -1) {
			out.write(buffer, 0, read);
			out.flush();
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
		for (Socket socket : this.open) {
			closeQuietly(socket);
		}
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// Closing is best effort.
		}
	}

	@FunctionalInterface
	private interface IoTask {

		void run() throws IOException;

	}

}
