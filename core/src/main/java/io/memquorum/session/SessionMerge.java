package io.memquorum.session;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;

import io.memquorum.engine.UpdateObserver;
import org.jspecify.annotations.Nullable;

/**
 * One save's change merged into one replica's copy, field by field. It runs on the
 * engine's threads, once per replica and again after a compare-and-swap conflict, so it
 * only decodes, merges and encodes; what it met is remembered for the save to decide what
 * the outcome means: a replica without a copy, a replica that stored the merge, and an
 * ended copy (a logout's or an id change's mark, or the engine's tombstone, which the
 * engine reports instead of merging over it).
 */
final class SessionMerge implements UnaryOperator<byte @Nullable []>, ToLongFunction<byte[]>, UpdateObserver {

	/**
	 * The expiry of each payload this merge produced, by identity, until the engine asks.
	 */
	private final Map<byte[], Long> expiries = new ConcurrentHashMap<>();

	private final long now;

	private volatile boolean sawExpired;

	/** The last input and its merge: replicas usually hold the same bytes. */
	private volatile @Nullable Merged last;

	private final StoredSession change;

	private final @Nullable StoredSession fill;

	private volatile boolean sawNoCopy;

	private volatile boolean sawEnded;

	private volatile boolean storedSomewhere;

	private volatile boolean sawLoggedOut;

	private final SessionIdSeal seal;

	/**
	 * A merge.
	 * @param change what the save changed
	 * @param fill what to write where a replica holds no copy, or {@code null} to leave
	 * such a replica to read repair
	 * @param seal decides which sealing of the id the merged copy keeps
	 * @param now epoch milliseconds now
	 */
	SessionMerge(StoredSession change, @Nullable StoredSession fill, SessionIdSeal seal, long now) {
		this.change = change;
		this.fill = fill;
		this.seal = seal;
		this.now = now;
	}

	@Override
	public void storedOnReplica() {
		this.storedSomewhere = true;
	}

	@Override
	public void metTombstone() {
		this.sawLoggedOut = true;
		this.sawEnded = true;
	}

	@Override
	public byte @Nullable [] apply(byte @Nullable [] current) {
		Merged previous = this.last;
		if (current != null && previous != null && Arrays.equals(previous.input(), current)) {
			return previous.output();
		}
		byte[] merged = mergeInto(current);
		if (current != null && merged != null) {
			this.last = new Merged(current, merged, 0);
		}
		return merged;
	}

	/**
	 * Tell this merge its outcome for one input, computed already: replicas that hold
	 * {@code input} take {@code output} without decoding, merging and encoding again.
	 * Only an outcome that {@link #apply} would produce is taken: the input a whole live
	 * session, the output not expired.
	 * @param input a payload
	 * @param decoded what {@code input} decodes to
	 * @param merged {@code decoded} merged with this merge's change
	 * @param output {@code merged}, encoded
	 */
	void knowOutcome(byte[] input, StoredSession decoded, StoredSession merged, byte[] output) {
		long expiresAt = merged.expiresAt();
		if (decoded.isComplete() && !decoded.isEnded() && expiresAt > this.now) {
			this.expiries.put(output, expiresAt);
			this.last = new Merged(input, output, expiresAt);
		}
	}

	/** An input, its merge, and when the merge expires (0 when not known here). */
	private record Merged(byte[] input, byte[] output, long expiresAt) {

	}

	private byte @Nullable [] mergeInto(byte @Nullable [] current) {
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
			if (this.fill == null) {
				return null;
			}
			held = this.fill.copy();
		}
		else if (held.isEnded()) {
			if (held.invalidated.version != 0) {
				this.sawLoggedOut = true;
			}
			this.sawEnded = true;
			return null;
		}
		StoredSession merged = held.mergeFrom(this.change, this.seal);
		long expiresAt = merged.expiresAt();
		if (expiresAt <= this.now) {
			// Nobody extended it: the session has expired, and nothing may outlive it.
			this.sawExpired = true;
			return null;
		}
		byte[] bytes = merged.encode();
		this.expiries.put(bytes, expiresAt);
		return bytes;
	}

	/**
	 * When a payload this merge produced expires, so that the memcached item lives
	 * exactly as long as the session it holds.
	 * @param payload a merged payload
	 * @return epoch milliseconds, or 0 for never
	 */
	@Override
	public long applyAsLong(byte[] payload) {
		// Most replicas take the outcome computed for what the request read: compare it
		// by identity before the map (whose lookup showed in the session cycle's
		// profile).
		Merged previous = this.last;
		if (previous != null && previous.output() == payload && previous.expiresAt() != 0) {
			return itemExpiry(previous.expiresAt());
		}
		Long expiresAt = this.expiries.get(payload);
		return itemExpiry((expiresAt != null) ? expiresAt : StoredSession.decode(payload).expiresAt());
	}

	/**
	 * When a stored session payload expires, as the engine's envelope says it.
	 * @param payload the payload
	 * @return epoch milliseconds, 0 for never
	 */
	static long expiryOf(byte[] payload) {
		return itemExpiry(StoredSession.decode(payload).expiresAt());
	}

	private static long itemExpiry(long sessionExpiresAt) {
		return (sessionExpiresAt == Long.MAX_VALUE) ? 0 : sessionExpiresAt;
	}

	boolean sawExpired() {
		return this.sawExpired;
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

	/**
	 * Whether some replica held a logout's or an id change's mark, or a tombstone.
	 */
	boolean sawEnded() {
		return this.sawEnded;
	}

	/**
	 * Whether some replica held a logout: its tombstone or its mark. Unlike an id
	 * change's mark, which a quorum-stored save leaves alone, a logout seen anywhere ends
	 * the session everywhere.
	 */
	boolean sawLoggedOut() {
		return this.sawLoggedOut;
	}

	/**
	 * Whether some replica stored this merge: it held a whole copy that no logout or id
	 * change ended, as it is now (a merge may run on a stale read of a replica that
	 * restarted empty since, whose compare-and-swap then fails). Only then may a save
	 * fill the replicas that hold none.
	 */
	boolean storedSomewhere() {
		return this.storedSomewhere;
	}

}
