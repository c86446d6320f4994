package io.memquorum.session;

import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;

/**
 * One save's change merged into one replica's copy, field by field. It runs on the
 * engine's threads, once per replica and again after a compare-and-swap conflict, so it
 * only decodes, merges and encodes; what it met is remembered for the save to decide what
 * the outcome means.
 */
final class SessionMerge implements UnaryOperator<byte @Nullable []> {

	private final StoredSession change;

	private final @Nullable StoredSession fill;

	private volatile boolean sawNoCopy;

	private volatile boolean sawEnded;

	/**
	 * A merge.
	 * @param change what the save changed
	 * @param fill what to write where a replica holds no copy, or {@code null} to leave
	 * such a replica to read repair
	 */
	SessionMerge(StoredSession change, @Nullable StoredSession fill) {
		this.change = change;
		this.fill = fill;
	}

	@Override
	public byte @Nullable [] apply(byte @Nullable [] current) {
		StoredSession held = null;
		if (current != null) {
			try {
				held = StoredSession.decode(current);
			}
			catch (SessionSerializationException ex) {
				held = null;
			}
		}
		if (held == null || !held.isComplete() && !held.isEnded()) {
			this.sawNoCopy = true;
			return (this.fill != null) ? StoredSession.decode(this.fill.encode()).mergeFrom(this.change).encode()
					: null;
		}
		if (held.isEnded()) {
			this.sawEnded = true;
			return null;
		}
		return held.mergeFrom(this.change).encode();
	}

	static @Nullable StoredSession decodeOrNull(byte @Nullable [] bytes) {
		if (bytes == null) {
			return null;
		}
		try {
			return StoredSession.decode(bytes);
		}
		catch (SessionSerializationException ex) {
			return null;
		}
	}

	boolean sawNoCopy() {
		return this.sawNoCopy;
	}

	boolean sawEnded() {
		return this.sawEnded;
	}

}
