package io.memquorum.node;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.google.code.yanf4j.buffer.IoBuffer;
import net.rubyeye.xmemcached.command.Command;
import net.rubyeye.xmemcached.command.CommandType;
import net.rubyeye.xmemcached.exception.MemcachedDecodeException;
import net.rubyeye.xmemcached.impl.MemcachedTCPSession;
import org.jspecify.annotations.Nullable;

/**
 * A text-protocol {@code gets} of one key whose value is read straight into the parts of
 * an {@link ItemLayout}: the body the caller wants arrives in an array of its own, with
 * no second copy. The result is a {@link StoredItem}, or {@code null} on a miss.
 *
 * <p>
 * The reply is untrusted input: a {@code VALUE} line for another key, a malformed or
 * overlong line, a negative or impossible length, or missing {@code END} after the data
 * is a protocol error that closes the session (xmemcached's decode exception), because
 * nothing after it on the connection can be trusted. Error replies ({@code ERROR},
 * {@code CLIENT_ERROR}, {@code SERVER_ERROR}) fail this command only.
 *
 * <p>
 * Declared as {@link CommandType#GETS_MANY}: xmemcached merges only its own single-key
 * get commands, and must not try to merge this one.
 */
final class SplitGetsCommand extends Command {

	/**
	 * memcached refuses item sizes above 1 GB ({@code -I}); a longer value is no item.
	 */
	static final int MAX_ITEM_LENGTH = 1 << 30;

	/** A {@code VALUE} line holds a key of at most 250 bytes and three numbers. */
	private static final int MAX_LINE_LENGTH = 512;

	private static final byte[] GETS = "gets ".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] VALUE = "VALUE ".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] END = "END".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] EMPTY = new byte[0];

	/** Before the value, reading its data, after it (only {@code END} may follow). */
	private enum Phase {

		LINE, DATA, END

	}

	private final ItemLayout layout;

	private Phase phase = Phase.LINE;

	private int flags;

	private long cas;

	private int length;

	private int received;

	private byte @Nullable [] head;

	private byte[] body = EMPTY;

	private byte[] tail = EMPTY;

	SplitGetsCommand(String key, byte[] keyBytes, ItemLayout layout) {
		super(key, keyBytes, CommandType.GETS_MANY, null);
		this.layout = layout;
	}

	@Override
	public void encode() {
		this.ioBuffer = requestLine(List.of(this));
	}

	/**
	 * {@code gets <key> <key> ...\r\n} for the keys of {@code gets}, in their order.
	 * @param gets the commands whose keys to ask
	 * @return the line, ready to write
	 */
	static IoBuffer requestLine(List<SplitGetsCommand> gets) {
		int length = GETS.length + 1;
		for (SplitGetsCommand get : gets) {
			length += get.keyBytes.length + 1;
		}
		IoBuffer buffer = IoBuffer.allocate(length);
		buffer.put(GETS);
		for (int i = 0; i < gets.size(); i++) {
			if (i > 0) {
				buffer.put((byte) ' ');
			}
			buffer.put(gets.get(i).keyBytes);
		}
		buffer.put((byte) '\r');
		buffer.put((byte) '\n');
		buffer.flip();
		return buffer;
	}

	@Override
	public boolean decode(MemcachedTCPSession session, ByteBuffer buffer) {
		while (true) {
			if (this.phase == Phase.DATA) {
				if (!readValue(buffer)) {
					return false;
				}
				this.phase = Phase.END;
			}
			int lineEnd = lineEnd(buffer, this);
			if (lineEnd < 0) {
				return false;
			}
			if (isEnd(buffer, lineEnd)) {
				buffer.position(lineEnd + 2);
				finish((this.phase == Phase.END) ? item() : null);
				return true;
			}
			if (this.phase == Phase.END) {
				decodeError("memcached's reply to gets " + this.key + " has no END after " + this.length
						+ " bytes of data; the connection is closed", null);
			}
			if (!isValue(buffer)) {
				return decodeError(errorLine(buffer, lineEnd));
			}
			startValue(buffer, lineEnd);
			this.phase = Phase.DATA;
		}
	}

	/**
	 * Read the {@code VALUE} line at the buffer's position, which must name this
	 * command's key, and size the parts its data goes to; the buffer moves past the line.
	 * @param buffer the reply, positioned at the line
	 * @param lineEnd where the line's {@code \r\n} starts
	 */
	void startValue(ByteBuffer buffer, int lineEnd) {
		int at = buffer.position() + VALUE.length;
		int keyEnd = indexOf(buffer, at, lineEnd, (byte) ' ');
		if (keyEnd < 0 || !matches(buffer, at, keyEnd, this.keyBytes)) {
			decodeError("memcached answered gets " + this.key + " with another key; the connection is closed", null);
		}
		at = keyEnd + 1;
		int flagsEnd = indexOf(buffer, at, lineEnd, (byte) ' ');
		int lengthEnd = (flagsEnd < 0) ? -1 : indexOf(buffer, flagsEnd + 1, lineEnd, (byte) ' ');
		if (lengthEnd < 0) {
			malformed();
		}
		long parsedFlags = number(buffer, at, flagsEnd, 10);
		long parsedLength = number(buffer, flagsEnd + 1, lengthEnd, 10);
		long parsedCas = number(buffer, lengthEnd + 1, lineEnd, 20);
		if (parsedFlags > 0xFFFFFFFFL || parsedLength > MAX_ITEM_LENGTH) {
			malformed();
		}
		this.flags = (int) parsedFlags;
		this.length = (int) parsedLength;
		this.cas = parsedCas;
		this.received = 0;
		if (this.layout.splits(this.flags, this.length)) {
			this.head = new byte[this.layout.headLength()];
			this.body = new byte[this.length - this.layout.headLength() - this.layout.tailLength()];
			this.tail = (this.layout.tailLength() == 0) ? EMPTY : new byte[this.layout.tailLength()];
		}
		else {
			this.head = null;
			this.body = new byte[this.length];
			this.tail = EMPTY;
		}
		buffer.position(lineEnd + 2);
	}

	/**
	 * Read the data announced by {@link #startValue} and the {@code \r\n} behind it.
	 * @param buffer the reply
	 * @return whether all of it has arrived
	 */
	boolean readValue(ByteBuffer buffer) {
		if (!fill(buffer)) {
			return false;
		}
		if (buffer.remaining() < 2) {
			return false;
		}
		int start = buffer.position();
		if (buffer.get(start) != '\r' || buffer.get(start + 1) != '\n') {
			decodeError("memcached's reply to gets " + this.key + " does not end its line after " + this.length
					+ " bytes of data; the connection is closed", null);
		}
		buffer.position(start + 2);
		return true;
	}

	/** The item whose data {@link #readValue} read. */
	StoredItem item() {
		return isSplit() ? StoredItem.split(this.flags, this.head, this.body, this.tail, this.cas)
				: new StoredItem(this.flags, this.body, this.cas);
	}

	/**
	 * Complete this command.
	 * @param item what it read, or {@code null} for a miss
	 */
	void finish(@Nullable StoredItem item) {
		setResult(item);
		countDownLatch();
	}

	/**
	 * Fail this command, unless it completed already.
	 * @param failure why
	 */
	void fail(Exception failure) {
		if (getLatch().getCount() > 0) {
			setException(failure);
			countDownLatch();
		}
	}

	@Override
	public String toString() {
		return "gets " + this.key;
	}

	private boolean isSplit() {
		return this.head != null;
	}

	/** Copy what has arrived into the parts; true once all of the value is in. */
	private boolean fill(ByteBuffer buffer) {
		int headLength = (this.head != null) ? this.head.length : 0;
		while (this.received < this.length) {
			if (!buffer.hasRemaining()) {
				return false;
			}
			byte[] part;
			int offset;
			if (this.received < headLength) {
				part = this.head;
				offset = this.received;
			}
			else if (this.received < headLength + this.body.length) {
				part = this.body;
				offset = this.received - headLength;
			}
			else {
				part = this.tail;
				offset = this.received - headLength - this.body.length;
			}
			int count = Math.min(buffer.remaining(), part.length - offset);
			buffer.get(part, offset, count);
			this.received += count;
		}
		return true;
	}

	/**
	 * Where the line starting at the buffer's position ends ({@code \r\n}), or -1 while
	 * it has not all arrived.
	 * @param buffer the reply
	 * @param command the command reading it, named when the line is too long
	 * @throws net.rubyeye.xmemcached.exception.MemcachedDecodeException when the line is
	 * longer than any reply line to a get can be
	 */
	static int lineEnd(ByteBuffer buffer, Command command) {
		int limit = Math.min(buffer.limit(), buffer.position() + MAX_LINE_LENGTH + 1);
		for (int i = buffer.position(); i + 1 < limit; i++) {
			if (buffer.get(i) == '\r' && buffer.get(i + 1) == '\n') {
				return i;
			}
		}
		if (buffer.remaining() > MAX_LINE_LENGTH) {
			throw new MemcachedDecodeException("memcached sent a reply line over " + MAX_LINE_LENGTH + " bytes to "
					+ command + "; the connection is closed");
		}
		return -1;
	}

	static boolean isEnd(ByteBuffer buffer, int lineEnd) {
		return matches(buffer, buffer.position(), lineEnd, END);
	}

	static boolean isValue(ByteBuffer buffer) {
		return matches(buffer, buffer.position(), buffer.position() + VALUE.length, VALUE);
	}

	/**
	 * Whether the {@code VALUE} line at the buffer's position names this command's key.
	 */
	boolean isValueOfThisKey(ByteBuffer buffer, int lineEnd) {
		int at = buffer.position() + VALUE.length;
		int keyEnd = indexOf(buffer, at, lineEnd, (byte) ' ');
		return keyEnd >= 0 && matches(buffer, at, keyEnd, this.keyBytes);
	}

	private static int indexOf(ByteBuffer buffer, int from, int to, byte wanted) {
		for (int i = from; i < to; i++) {
			if (buffer.get(i) == wanted) {
				return i;
			}
		}
		return -1;
	}

	private static boolean matches(ByteBuffer buffer, int from, int to, byte[] expected) {
		if (to - from != expected.length || to > buffer.limit()) {
			return false;
		}
		for (int i = 0; i < expected.length; i++) {
			if (buffer.get(from + i) != expected[i]) {
				return false;
			}
		}
		return true;
	}

	/**
	 * The unsigned decimal in {@code [from, to)}, of at most {@code maxDigits} digits. A
	 * 64-bit compare-and-swap token above {@link Long#MAX_VALUE} reads as negative: the
	 * same 64 bits memcached sent.
	 */
	private long number(ByteBuffer buffer, int from, int to, int maxDigits) {
		if (to <= from || to - from > maxDigits) {
			malformed();
		}
		long value = 0;
		for (int i = from; i < to; i++) {
			int digit = buffer.get(i) - '0';
			if (digit < 0 || digit > 9) {
				malformed();
			}
			value = value * 10 + digit;
		}
		return value;
	}

	private void malformed() {
		decodeError("memcached sent a malformed VALUE line for gets " + this.key + "; the connection is closed", null);
	}

	static String errorLine(ByteBuffer buffer, int lineEnd) {
		byte[] line = new byte[lineEnd - buffer.position()];
		buffer.get(line);
		buffer.position(lineEnd + 2);
		return new String(line, StandardCharsets.US_ASCII);
	}

}
