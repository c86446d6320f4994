package io.memquorum.test;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Minimal client for memcached's text protocol, used to inspect and prepare a node
 * independently of the client under test.
 * <p>
 * Every operation uses a fresh connection so that it behaves the same whether the node
 * was restarted, killed or paused in between, and every connection has a connect and read
 * timeout so that a paused node fails fast instead of blocking the test.
 */
final class TextProtocolClient {

	private static final int MAX_KEY_LENGTH = 250;

	private final String host;

	private final int port;

	private final int timeoutMillis;

	private final @Nullable MemcachedCredentials credentials;

	TextProtocolClient(String host, int port, int timeoutMillis) {
		this(host, port, timeoutMillis, null);
	}

	/**
	 * A client that authenticates every connection first when {@code credentials} are
	 * given, as a node started with an auth file requires.
	 */
	TextProtocolClient(String host, int port, int timeoutMillis, @Nullable MemcachedCredentials credentials) {
		this.host = host;
		this.port = port;
		this.timeoutMillis = timeoutMillis;
		this.credentials = credentials;
	}

	String version() {
		return exchange("version", (connection) -> {
			connection.send("version\r\n");
			String line = connection.readLine();
			if (!line.startsWith("VERSION ")) {
				throw unexpected("version", line);
			}
			return line.substring("VERSION ".length());
		});
	}

	Map<String, String> stats() {
		return stats(null);
	}

	Map<String, String> stats(@Nullable String group) {
		if (group != null && (group.isEmpty() || group.chars().anyMatch((c) -> c <= ' ' || c == 127))) {
			throw new IllegalArgumentException("stats group must be a single word, was '" + group + "'");
		}
		String command = (group != null) ? "stats " + group : "stats";
		return exchange(command, (connection) -> {
			connection.send(command + "\r\n");
			Map<String, String> stats = new LinkedHashMap<>();
			for (String line = connection.readLine(); !line.equals("END"); line = connection.readLine()) {
				if (!line.startsWith("STAT ")) {
					throw unexpected(command, line);
				}
				int separator = line.indexOf(' ', "STAT ".length());
				if (separator < 0) {
					stats.put(line.substring("STAT ".length()), "");
				}
				else {
					stats.put(line.substring("STAT ".length(), separator), line.substring(separator + 1));
				}
			}
			return Collections.unmodifiableMap(stats);
		});
	}

	void flushAll() {
		exchange("flush_all", (connection) -> {
			connection.send("flush_all\r\n");
			expect("flush_all", connection.readLine(), "OK");
			return null;
		});
	}

	byte @Nullable [] get(String key) {
		checkKey(key);
		return exchange("get", (connection) -> {
			connection.send("get " + key + "\r\n");
			String line = connection.readLine();
			if (line.equals("END")) {
				return null;
			}
			String[] header = line.split(" ");
			if (header.length < 4 || !header[0].equals("VALUE")) {
				throw unexpected("get", line);
			}
			int length;
			try {
				length = Integer.parseInt(header[3]);
			}
			catch (NumberFormatException ex) {
				throw unexpected("get", line);
			}
			byte[] value = connection.readBytes(length);
			expect("get", connection.readLine(), "");
			expect("get", connection.readLine(), "END");
			return value;
		});
	}

	void set(String key, byte[] value, int flags, int ttlSeconds) {
		checkKey(key);
		if (ttlSeconds < 0) {
			throw new IllegalArgumentException("ttlSeconds must not be negative, was " + ttlSeconds);
		}
		exchange("set", (connection) -> {
			connection.send("set " + key + " " + Integer.toUnsignedString(flags) + " " + ttlSeconds + " " + value.length
					+ "\r\n");
			connection.send(value);
			connection.send("\r\n");
			expect("set", connection.readLine(), "STORED");
			return null;
		});
	}

	/**
	 * Return the keys of all live items. memcached serves one crawler request at a time
	 * and answers {@code BUSY} to the others, so a busy crawler is waited for.
	 */
	List<String> keys() {
		long deadline = System.nanoTime() + this.timeoutMillis * 1_000_000L;
		while (true) {
			List<String> keys = exchange("lru_crawler metadump all", this::metadump);
			if (keys != null) {
				return keys;
			}
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("memcached at " + address()
						+ " kept answering 'lru_crawler metadump all' with BUSY for " + this.timeoutMillis + " ms");
			}
			Waits.pause(10);
		}
	}

	private @Nullable List<String> metadump(Connection connection) throws IOException {
		connection.send("lru_crawler metadump all\r\n");
		List<String> keys = new ArrayList<>();
		for (String line = connection.readLine(); !line.equals("END"); line = connection.readLine()) {
			if (line.startsWith("BUSY")) {
				return null;
			}
			if (line.startsWith("NOTSTARTED")) {
				return List.of();
			}
			if (!line.startsWith("key=")) {
				throw unexpected("lru_crawler metadump all", line);
			}
			int end = line.indexOf(' ');
			keys.add(percentDecode(line.substring("key=".length(), (end < 0) ? line.length() : end)));
		}
		return Collections.unmodifiableList(keys);
	}

	/**
	 * Decode metadump's URI encoding. {@link java.net.URLDecoder} is not used because it
	 * turns '+' into a space, while memcached encodes '+' itself and leaves no literal
	 * '+' to be read as a space.
	 */
	static String percentDecode(String encoded) {
		byte[] source = encoded.getBytes(StandardCharsets.UTF_8);
		ByteArrayOutputStream decoded = new ByteArrayOutputStream(source.length);
		for (int i = 0; i < source.length; i++) {
			if (source[i] == '%' && i + 2 < source.length && hexDigit(source[i + 1]) >= 0
					&& hexDigit(source[i + 2]) >= 0) {
				decoded.write((hexDigit(source[i + 1]) << 4) | hexDigit(source[i + 2]));
				i += 2;
			}
			else {
				decoded.write(source[i]);
			}
		}
		return decoded.toString(StandardCharsets.UTF_8);
	}

	private static int hexDigit(byte b) {
		if (b >= '0' && b <= '9') {
			return b - '0';
		}
		if (b >= 'A' && b <= 'F') {
			return b - 'A' + 10;
		}
		if (b >= 'a' && b <= 'f') {
			return b - 'a' + 10;
		}
		return -1;
	}

	private static void checkKey(String key) {
		byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
		if (bytes.length == 0 || bytes.length > MAX_KEY_LENGTH) {
			throw new IllegalArgumentException(
					"memcached keys must be 1 to " + MAX_KEY_LENGTH + " bytes long, was " + bytes.length + " bytes");
		}
		for (byte b : bytes) {
			if ((b & 0xff) <= ' ' || b == 127) {
				throw new IllegalArgumentException(
						"memcached keys must not contain spaces or control characters: '" + key + "'");
			}
		}
	}

	private <T> T exchange(String command, Exchange<T> exchange) {
		try (Socket socket = new Socket()) {
			socket.setTcpNoDelay(true);
			socket.connect(new InetSocketAddress(this.host, this.port), this.timeoutMillis);
			socket.setSoTimeout(this.timeoutMillis);
			Connection connection = new Connection(socket);
			if (this.credentials != null) {
				authenticate(connection, this.credentials);
			}
			return exchange.perform(connection);
		}
		catch (SocketTimeoutException ex) {
			throw new UncheckedIOException("memcached at " + address() + " did not answer '" + command + "' within "
					+ this.timeoutMillis + " ms; is the node paused?", ex);
		}
		catch (ConnectException ex) {
			throw new UncheckedIOException(
					"memcached at " + address() + " refused the connection for '" + command + "'; is the node killed?",
					ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("'" + command + "' against memcached at " + address() + " failed", ex);
		}
	}

	/**
	 * memcached's text-protocol authentication: a {@code set} of any key whose value is
	 * {@code user password}, sent before any other command.
	 */
	private void authenticate(Connection connection, MemcachedCredentials credentials) throws IOException {
		byte[] value = credentials.authenticationValue().getBytes(StandardCharsets.UTF_8);
		connection.send("set auth 0 0 " + value.length + "\r\n");
		connection.send(value);
		connection.send("\r\n");
		String line = connection.readLine();
		if (!line.equals("STORED")) {
			throw new IllegalStateException(
					"memcached at " + address() + " rejected user '" + credentials.username() + "': " + line);
		}
	}

	private String address() {
		return this.host + ":" + this.port;
	}

	private void expect(String command, String actual, String expected) {
		if (!actual.equals(expected)) {
			throw unexpected(command, actual);
		}
	}

	private IllegalStateException unexpected(String command, String line) {
		return new IllegalStateException(
				"memcached at " + address() + " answered '" + command + "' with unexpected line: " + line);
	}

	@FunctionalInterface
	private interface Exchange<T> {

		T perform(Connection connection) throws IOException;

	}

	private static final class Connection {

		private final InputStream input;

		private final OutputStream output;

		Connection(Socket socket) throws IOException {
			this.input = new BufferedInputStream(socket.getInputStream());
			this.output = new BufferedOutputStream(socket.getOutputStream());
		}

		void send(String text) throws IOException {
			send(text.getBytes(StandardCharsets.UTF_8));
		}

		void send(byte[] bytes) throws IOException {
			this.output.write(bytes);
		}

		/**
		 * Read one line without its terminator. Metadump ends its entries with a bare
		 * '\n' and everything else with "\r\n", so both are accepted.
		 */
		String readLine() throws IOException {
			this.output.flush();
			ByteArrayOutputStream line = new ByteArrayOutputStream(64);
			int b;
			while ((b = this.input.read()) != '\n') {
				if (b < 0) {
					throw new EOFException("memcached closed the connection");
				}
				line.write(b);
			}
			String text = line.toString(StandardCharsets.UTF_8);
			return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
		}

		byte[] readBytes(int length) throws IOException {
			this.output.flush();
			byte[] bytes = this.input.readNBytes(length);
			if (bytes.length < length) {
				throw new EOFException("memcached closed the connection in the middle of a value");
			}
			return bytes;
		}

	}

}
