package io.memquorum.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * Lists every key a memcached node holds, with {@code lru_crawler metadump all}
 * (memcached 1.4.31 and later), over a plain blocking socket of its own.
 *
 * <p>
 * xmemcached has no command for this multi-line reply, and a listing of a large node
 * should not occupy the pipelined connection that serves requests, so this reader opens a
 * second connection, reads the listing line by line and closes it. It blocks the calling
 * thread: call it from a thread of its own, never from a reactor or the maintenance
 * thread.
 *
 * <p>
 * With credentials, the connection authenticates first, as every connection to a node
 * started with {@code -Y} must ({@link TextProtocolAuthentication}): the authenticating
 * {@code set} goes out and its answer is read before the listing is asked for, so a
 * refused login is reported as such, naming the user and never the password.
 *
 * <p>
 * A listing is not a snapshot: memcached walks its LRU queues while items keep moving
 * between them, so an item moved at the wrong moment may be missed, or listed twice.
 *
 * <p>
 * The reply is untrusted input. Each line is
 * {@code key=<percent-encoded> exp=<unix time or -1> la=... cas=... fetch=... cls=... size=...}
 * and the listing ends with {@code END}. Lines longer than {@link #MAX_LINE_BYTES} are
 * skipped whole; lines without a readable {@code key=} or {@code exp=} are skipped and
 * counted. An error reply raises {@link MetadumpUnavailableException}; a read that stalls
 * longer than the timeout raises {@link java.net.SocketTimeoutException}.
 */
public final class MetadumpReader {

	/**
	 * The longest line read: a 250-byte key percent-encoded is at most 750 bytes, and the
	 * other fields take about 100.
	 */
	public static final int MAX_LINE_BYTES = 2048;

	private static final byte[] COMMAND = "lru_crawler metadump all\r\n".getBytes(StandardCharsets.US_ASCII);

	/**
	 * The listing socket's receive buffer, set before connecting so that the kernel does
	 * not grow it: memcached's crawler lists only as far ahead of the reader as the
	 * buffers hold. With the buffer the kernel grows on loopback (megabytes), a refill
	 * paced for a busy foreground still had the crawler list tens of thousands of keys at
	 * full speed the moment the listing started, a burst of the peer's CPU that the
	 * foreground felt in its p99.
	 */
	static final int RECEIVE_BUFFER_BYTES = 64 * 1024;

	private final NodeAddress address;

	private final Duration timeout;

	private final @Nullable NodeCredentials credentials;

	private int skippedLines;

	/**
	 * A reader for one node that accepts every connection.
	 * @param address the node
	 * @param timeout how long connecting, and each wait for more bytes, may take
	 */
	public MetadumpReader(NodeAddress address, Duration timeout) {
		this(address, timeout, null);
	}

	/**
	 * A reader for one node that may require a username and password.
	 * @param address the node
	 * @param timeout how long connecting, and each wait for more bytes, may take
	 * @param credentials what the node's {@code -Y} auth file expects, or {@code null}
	 * when it accepts every connection
	 */
	public MetadumpReader(NodeAddress address, Duration timeout, @Nullable NodeCredentials credentials) {
		this.address = address;
		this.timeout = timeout;
		this.credentials = credentials;
	}

	/**
	 * List the node's keys.
	 * @param sink receives each key in listing order; returns {@code false} to stop early
	 * @return how many keys were listed
	 * @throws MetadumpUnavailableException when the node declined (crawler disabled or
	 * busy, credentials refused or missing, or an unexpected reply)
	 * @throws IOException when the connection failed, stalled, or closed before
	 * {@code END}
	 */
	public long read(Predicate<DumpedKey> sink) throws MetadumpUnavailableException, IOException {
		int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, this.timeout.toMillis()));
		try (Socket socket = new Socket()) {
			socket.setReceiveBufferSize(RECEIVE_BUFFER_BYTES);
			socket.connect(this.address.toSocketAddress(), timeoutMillis);
			socket.setSoTimeout(timeoutMillis);
			socket.setTcpNoDelay(true);
			OutputStream out = socket.getOutputStream();
			// LineReader reads in bulk into a buffer of its own; a buffered stream under
			// it
			// would only double the heap a listing takes.
			LineReader lines = new LineReader(socket.getInputStream());
			if (this.credentials != null) {
				authenticate(out, lines, this.credentials);
			}
			out.write(COMMAND);
			out.flush();
			long listed = 0;
			boolean first = true;
			String line;
			while ((line = lines.next()) != null) {
				if (line.equals("END")) {
					return listed;
				}
				if (first) {
					first = false;
					declinedIfError(line);
				}
				DumpedKey key = parse(line);
				if (key == null) {
					this.skippedLines++;
					continue;
				}
				listed++;
				if (!sink.test(key)) {
					return listed;
				}
			}
			throw new IOException(this.address + " closed the connection before the end of its key listing");
		}
	}

	/**
	 * How many lines this reader could not read and skipped, over all its listings.
	 * @return the number of skipped lines
	 */
	public int skippedLines() {
		return this.skippedLines;
	}

	public NodeAddress address() {
		return this.address;
	}

	@Override
	public String toString() {
		return "MetadumpReader[" + this.address + "]";
	}

	/**
	 * Send the credentials and read memcached's answer before anything else goes out.
	 */
	private void authenticate(OutputStream out, LineReader lines, NodeCredentials credentials)
			throws IOException, MetadumpUnavailableException {
		byte[] value = credentials.authenticationValue();
		out.write(("set " + NodeConnection.AUTHENTICATION_KEY + " 0 0 " + value.length + "\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		out.write(value);
		out.write(new byte[] { '\r', '\n' });
		out.flush();
		String answer = lines.next();
		if (answer == null) {
			throw new IOException(this.address + " closed the connection before answering the authentication of user '"
					+ credentials.username() + "'");
		}
		if (!answer.equals("STORED")) {
			throw MetadumpUnavailableException.refused(this.address,
					"rejected the credentials of user '" + credentials.username() + "': " + printable(answer)
							+ " (check memquorum.username and memquorum.password against the node's -Y auth file)");
		}
	}

	private void declinedIfError(String line) throws MetadumpUnavailableException {
		if (line.startsWith("key=")) {
			return;
		}
		String reply = printable(line);
		if (line.startsWith("CLIENT_ERROR") && line.contains("unauthenticated")) {
			throw MetadumpUnavailableException.refused(this.address,
					"requires authentication; set memquorum.username and memquorum.password");
		}
		if (line.startsWith("CLIENT_ERROR") && line.contains("disabled")) {
			throw new MetadumpUnavailableException(this.address, reply, true, false);
		}
		if (line.startsWith("BUSY")) {
			throw new MetadumpUnavailableException(this.address, reply, false, true);
		}
		if (line.startsWith("ERROR") || line.startsWith("CLIENT_ERROR") || line.startsWith("SERVER_ERROR")) {
			throw new MetadumpUnavailableException(this.address, reply, false, false);
		}
	}

	/**
	 * Read one listing line.
	 * @param line the line without its end
	 * @return the key, or {@code null} when the line is not a readable key line
	 */
	static @Nullable DumpedKey parse(String line) {
		String key = null;
		long exp = Long.MIN_VALUE;
		int size = -1;
		// Fields are scanned in place rather than split: a refill reads every line of
		// several listings of every peer, and this runs on its one thread. A field given
		// twice counts its last value, as before.
		int length = line.length();
		for (int start = 0; start < length;) {
			int end = line.indexOf(' ', start);
			if (end < 0) {
				end = length;
			}
			if (line.startsWith("key=", start)) {
				key = percentDecode(line, start + 4, end);
			}
			else if (line.startsWith("exp=", start)) {
				exp = parseLong(line, start + 4, end, Long.MIN_VALUE);
			}
			else if (line.startsWith("size=", start)) {
				size = (int) Math.max(-1, Math.min(Integer.MAX_VALUE, parseLong(line, start + 5, end, -1)));
			}
			start = end + 1;
		}
		if (key == null || key.isEmpty() || exp == Long.MIN_VALUE || exp < -1) {
			return null;
		}
		return new DumpedKey(key, exp, size);
	}

	private static long parseLong(String line, int from, int to, long otherwise) {
		try {
			return Long.parseLong(line, from, to, 10);
		}
		catch (NumberFormatException ex) {
			return otherwise;
		}
	}

	/**
	 * Undo memcached's percent-encoding, one character per byte.
	 * @return the key, or {@code null} when the encoding is broken
	 */
	private static @Nullable String percentDecode(String line, int from, int to) {
		int percent = line.indexOf('%', from);
		if (percent < 0 || percent >= to) {
			// Most keys need no decoding.
			return line.substring(from, to);
		}
		String encoded = line.substring(from, to);
		StringBuilder key = new StringBuilder(encoded.length());
		for (int i = 0; i < encoded.length(); i++) {
			char c = encoded.charAt(i);
			if (c != '%') {
				key.append(c);
				continue;
			}
			if (i + 2 >= encoded.length()) {
				return null;
			}
			int high = Character.digit(encoded.charAt(i + 1), 16);
			int low = Character.digit(encoded.charAt(i + 2), 16);
			if (high < 0 || low < 0) {
				return null;
			}
			key.append((char) ((high << 4) | low));
			i += 2;
		}
		return key.toString();
	}

	private static String printable(String line) {
		StringBuilder text = new StringBuilder(Math.min(line.length(), 200));
		for (int i = 0; i < line.length() && i < 200; i++) {
			char c = line.charAt(i);
			text.append((c >= 0x20 && c < 0x7F) ? c : '?');
		}
		return text.toString();
	}

	/**
	 * Splits the reply into lines ended by {@code \n} (an optional {@code \r} before it
	 * is dropped), skipping lines longer than {@link #MAX_LINE_BYTES}.
	 */
	/**
	 * Lines of the reply, read in bulk: a listing of a million keys is about 100 MB, and
	 * reading it a byte at a time through synchronized streams cost more than half of an
	 * idle refill's time (measured with JFR on a 200,000-entry refill).
	 */
	private final class LineReader {

		private final InputStream in;

		private final byte[] buffer = new byte[64 * 1024];

		private int position;

		private int limit;

		private final byte[] line = new byte[MAX_LINE_BYTES];

		LineReader(InputStream in) {
			this.in = in;
		}

		@Nullable String next() throws IOException {
			int length = 0;
			boolean tooLong = false;
			while (true) {
				if (this.position == this.limit) {
					int read = this.in.read(this.buffer, 0, this.buffer.length);
					if (read <= 0) {
						return null;
					}
					this.position = 0;
					this.limit = read;
				}
				byte b = this.buffer[this.position++];
				if (b == '\n') {
					if (tooLong) {
						MetadumpReader.this.skippedLines++;
						tooLong = false;
						length = 0;
						continue;
					}
					if (length > 0 && this.line[length - 1] == '\r') {
						length--;
					}
					return new String(this.line, 0, length, StandardCharsets.ISO_8859_1);
				}
				if (!tooLong) {
					if (length >= MAX_LINE_BYTES) {
						tooLong = true;
					}
					else {
						this.line[length++] = b;
					}
				}
			}
		}

	}

}
