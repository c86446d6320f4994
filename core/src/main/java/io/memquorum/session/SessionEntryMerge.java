package io.memquorum.session;

import java.util.Arrays;
import java.util.function.Supplier;

import io.memquorum.engine.EntryMerge;
import io.memquorum.engine.Envelope;
import org.jspecify.annotations.Nullable;

/**
 * How the engine combines two copies of one stored session when it copies them between
 * replicas (hint replay, read repair, MAJORITY reads, refill).
 * <ul>
 * <li>A tombstone (a logout) beats every value, whatever the versions: session ids are
 * random and never reused, so nothing may bring a logged-out session back, not even a
 * copy written by an instance whose clock runs ahead.</li>
 * <li>Two values merge field by field ({@link StoredSession#mergeFrom}); the result
 * carries the higher envelope version and the expiry of the merged state. Of two sealings
 * of the id, the one under the repository's current signing key is kept
 * ({@link SessionIdSeal#preferred}), so that a copy sealed again after a key rotation is
 * never replaced by an older sealing that a retired key made.</li>
 * <li>A payload that is not a stored session (bytes of another format) falls back to the
 * newest version.</li>
 * </ul>
 */
final class SessionEntryMerge implements EntryMerge {

	/** The repository's seal, which its signing keys may replace after construction. */
	private final Supplier<SessionIdSeal> seal;

	SessionEntryMerge(Supplier<SessionIdSeal> seal) {
		this.seal = seal;
	}

	@Override
	public @Nullable Envelope merge(@Nullable Envelope held, Envelope incoming) {
		if (held == null || held.kind() == Envelope.Kind.ABSENT) {
			return (incoming.kind() == Envelope.Kind.ABSENT) ? null : incoming;
		}
		if (incoming.kind() == Envelope.Kind.ABSENT) {
			return null;
		}
		if (held.isTombstone()) {
			// Only a later tombstone (a longer-lived one) replaces a tombstone.
			return (incoming.isTombstone() && incoming.version() > held.version()) ? incoming : null;
		}
		if (incoming.isTombstone()) {
			return incoming;
		}
		if (Arrays.equals(held.payload(), incoming.payload())) {
			// Replicas that agree, the common case: nothing to decode.
			return null;
		}
		byte[] merged;
		long expiresAt;
		try {
			StoredSession session = StoredSession.decode(held.payload())
				.mergeFrom(StoredSession.decode(incoming.payload()), this.seal.get());
			merged = session.encode();
			long sessionExpiry = session.expiresAt();
			expiresAt = (sessionExpiry == Long.MAX_VALUE) ? 0 : sessionExpiry;
		}
		catch (SessionSerializationException ex) {
			return EntryMerge.NEWEST_WINS.merge(held, incoming);
		}
		long version = Math.max(held.version(), incoming.version());
		if (Arrays.equals(merged, held.payload())) {
			return null;
		}
		return Envelope.value(version, expiresAt, merged);
	}

}
