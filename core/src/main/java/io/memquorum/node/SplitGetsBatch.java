package io.memquorum.node;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.google.code.yanf4j.buffer.IoBuffer;
import net.rubyeye.xmemcached.command.Command;
import net.rubyeye.xmemcached.command.CommandType;
import net.rubyeye.xmemcached.impl.MemcachedTCPSession;
import org.jspecify.annotations.Nullable;

/**
 * Split gets queued on one connection at the same moment, sent as one multi-key
 * {@code gets}: memcached parses one command and writes one reply for all of them, which
 * halves its work per key under load (measured: 5.5 against 2.6 µs of memcached CPU per
 * get with and without xmemcached's own merging of its gets). Each key's value is read by
 * its own {@link SplitGetsCommand}, which completes as soon as its value is in.
 *
 * <p>
 * memcached answers the keys in the order asked, a {@code VALUE} for each hit and one
 * {@code END}, so a {@code VALUE} line completes every command before it as a miss. A key
 * asked twice is answered twice. A {@code VALUE} line that names no key still waiting is
 * a protocol error that closes the session, as for a single get; an error reply, or the
 * session closing, fails every command not yet complete.
 */
final class SplitGetsBatch extends Command {

	private static final byte[] GETS = "gets".getBytes(StandardCharsets.US_ASCII);

	private final List<SplitGetsCommand> gets;

	/** The first command whose reply has not been read. */
	private int next;

	private @Nullable SplitGetsCommand reading;

	SplitGetsBatch(List<SplitGetsCommand> gets) {
		super(CommandType.GETS_MANY);
		this.gets = gets;
		setLatch(new CompletingLatch(this::failIncomplete));
		setMergeCount(gets.size());
		encode();
	}

	@Override
	public void encode() {
		int length = GETS.length + 2;
		for (SplitGetsCommand get : this.gets) {
			length += 1 + get.getKeyBytes().length;
		}
		IoBuffer buffer = IoBuffer.allocate(length);
		buffer.put(GETS);
		for (SplitGetsCommand get : this.gets) {
			buffer.put((byte) ' ');
			buffer.put(get.getKeyBytes());
		}
		buffer.put((byte) '\r');
		buffer.put((byte) '\n');
		buffer.flip();
		this.ioBuffer = buffer;
	}

	@Override
	public boolean decode(MemcachedTCPSession session, ByteBuffer buffer) {
		while (true) {
			SplitGetsCommand current = this.reading;
			if (current != null) {
				if (!current.readValue(buffer)) {
					return false;
				}
				this.reading = null;
				current.finish(current.item());
			}
			int lineEnd = SplitGetsCommand.lineEnd(buffer, this);
			if (lineEnd < 0) {
				return false;
			}
			if (SplitGetsCommand.isEnd(buffer, lineEnd)) {
				buffer.position(lineEnd + 2);
				missedFrom(this.gets.size());
				return true;
			}
			if (!SplitGetsCommand.isValue(buffer)) {
				return decodeError(SplitGetsCommand.errorLine(buffer, lineEnd));
			}
			int answered = answeredCommand(buffer, lineEnd);
			missedFrom(answered);
			SplitGetsCommand get = this.gets.get(answered);
			this.next = answered + 1;
			get.startValue(buffer, lineEnd);
			this.reading = get;
		}
	}

	/** The first command still waiting that the {@code VALUE} line answers. */
	private int answeredCommand(ByteBuffer buffer, int lineEnd) {
		for (int i = this.next; i < this.gets.size(); i++) {
			if (this.gets.get(i).isValueOfThisKey(buffer, lineEnd)) {
				return i;
			}
		}
		decodeError("memcached answered " + this + " with a key not asked for, or out of order; "
				+ "the connection is closed", null);
		return -1;
	}

	/** Complete the commands from {@link #next} up to {@code end} as misses. */
	private void missedFrom(int end) {
		for (int i = this.next; i < end; i++) {
			this.gets.get(i).finish(null);
		}
		this.next = end;
	}

	/** An error reply or a closed session: every command not complete fails with it. */
	private void failIncomplete() {
		Exception failure = getException();
		if (failure == null) {
			return;
		}
		for (SplitGetsCommand get : this.gets) {
			get.fail(failure);
		}
	}

	@Override
	public String toString() {
		StringBuilder text = new StringBuilder("gets");
		for (SplitGetsCommand get : this.gets) {
			text.append(' ').append(get.getKey());
		}
		return text.toString();
	}

}
