package io.memquorum.node;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

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
 * A key that several commands want is asked once, as xmemcached does (every hit of a
 * cache wants its generation; Zipf-distributed keys repeat): its value is read once and
 * each further command gets a copy of its own. memcached answers the keys in the order
 * asked, a {@code VALUE} for each hit and one {@code END}, so a {@code VALUE} line
 * completes every key before it as a miss. A {@code VALUE} line that names no key still
 * waiting is a protocol error that closes the session, as for a single get; an error
 * reply, or the session closing, fails every command not yet complete.
 */
final class SplitGetsBatch extends Command {

	private final List<SplitGetsCommand> gets;

	/** The commands by key, in the order the keys are asked; each key once. */
	private final List<List<SplitGetsCommand>> byKey;

	/** The first key whose reply has not been read. */
	private int next;

	private @Nullable List<SplitGetsCommand> reading;

	SplitGetsBatch(List<SplitGetsCommand> gets) {
		super(CommandType.GETS_MANY);
		this.gets = gets;
		this.byKey = groupByKey(gets);
		setLatch(new CompletingLatch(this::failIncomplete));
		setMergeCount(gets.size());
		encode();
	}

	private static List<List<SplitGetsCommand>> groupByKey(List<SplitGetsCommand> gets) {
		List<List<SplitGetsCommand>> groups = new ArrayList<>(gets.size());
		for (SplitGetsCommand get : gets) {
			List<SplitGetsCommand> group = null;
			for (List<SplitGetsCommand> candidate : groups) {
				if (candidate.get(0).getKey().equals(get.getKey())) {
					group = candidate;
					break;
				}
			}
			if (group == null) {
				group = new ArrayList<>(1);
				groups.add(group);
			}
			group.add(get);
		}
		return groups;
	}

	/** The gets this batch answers, in the order they were queued. */
	List<SplitGetsCommand> gets() {
		return this.gets;
	}

	@Override
	public void encode() {
		if (this.ioBuffer != null) {
			// Encoded when built; xmemcached encodes again as the batch is written.
			return;
		}
		List<SplitGetsCommand> firstOfEachKey = new ArrayList<>(this.byKey.size());
		for (List<SplitGetsCommand> group : this.byKey) {
			firstOfEachKey.add(group.get(0));
		}
		this.ioBuffer = SplitGetsCommand.requestLine(firstOfEachKey);
	}

	@Override
	public boolean decode(MemcachedTCPSession session, ByteBuffer buffer) {
		while (true) {
			List<SplitGetsCommand> current = this.reading;
			if (current != null) {
				SplitGetsCommand first = current.get(0);
				if (!first.readValue(buffer)) {
					return false;
				}
				this.reading = null;
				StoredItem item = first.item();
				for (int i = 1; i < current.size(); i++) {
					current.get(i).finish(item.copy());
				}
				first.finish(item);
			}
			int lineEnd = SplitGetsCommand.lineEnd(buffer, this);
			if (lineEnd < 0) {
				return false;
			}
			if (SplitGetsCommand.isEnd(buffer, lineEnd)) {
				buffer.position(lineEnd + 2);
				missedUpTo(this.byKey.size());
				return true;
			}
			if (!SplitGetsCommand.isValue(buffer)) {
				return decodeError(SplitGetsCommand.errorLine(buffer, lineEnd));
			}
			int answered = answeredKey(buffer, lineEnd);
			missedUpTo(answered);
			List<SplitGetsCommand> group = this.byKey.get(answered);
			this.next = answered + 1;
			group.get(0).startValue(buffer, lineEnd);
			this.reading = group;
		}
	}

	/** The first key still waiting that the {@code VALUE} line answers. */
	private int answeredKey(ByteBuffer buffer, int lineEnd) {
		for (int i = this.next; i < this.byKey.size(); i++) {
			if (this.byKey.get(i).get(0).isValueOfThisKey(buffer, lineEnd)) {
				return i;
			}
		}
		decodeError("memcached answered " + this + " with a key not asked for, or out of order; "
				+ "the connection is closed", null);
		return -1;
	}

	/**
	 * Complete the commands of the keys from {@link #next} up to {@code end} as misses.
	 */
	private void missedUpTo(int end) {
		for (int i = this.next; i < end; i++) {
			for (SplitGetsCommand get : this.byKey.get(i)) {
				get.finish(null);
			}
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
		for (List<SplitGetsCommand> group : this.byKey) {
			text.append(' ').append(group.get(0).getKey());
		}
		return text.toString();
	}

}
