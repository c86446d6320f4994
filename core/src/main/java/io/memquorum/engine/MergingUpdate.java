package io.memquorum.engine;

import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;

/**
 * One {@code update} decided on one replica. Implements the contract's "update" clause:
 * the caller's merge runs on the replica's own payload, never over a tombstone (a merge
 * that is an {@link UpdateObserver} is told instead, and told what each replica stored),
 * and the merged value is versioned above both this write's clock reading and the version
 * it merges into, with the lifetime the merged value says.
 */
final class MergingUpdate implements Function<@Nullable Envelope, @Nullable Envelope>,
		ConditionalWrite.EncodesItsEnvelopes, ConditionalWrite.LearnsWhatWasStored {

	private final EngineState state;

	private final String key;

	private final String encoded;

	private final UnaryOperator<byte @Nullable []> merge;

	private final ToLongFunction<byte[]> expiresAtOf;

	/** One clock reading for every replica, so that agreeing replicas stay equal. */
	private final long version;

	/**
	 * The last envelope decided and its bytes: replicas that held the same payload get
	 * the same envelope (the merge hands back the same array for the same input), encoded
	 * once.
	 */
	private volatile @Nullable Decided last;

	private record Decided(Envelope envelope, byte[] bytes) {

	}

	MergingUpdate(EngineState state, String key, String encoded, UnaryOperator<byte @Nullable []> merge,
			ToLongFunction<byte[]> expiresAtOf) {
		this.state = state;
		this.key = key;
		this.encoded = encoded;
		this.merge = merge;
		this.expiresAtOf = expiresAtOf;
		this.version = state.versions.next();
	}

	@Override
	public @Nullable Envelope apply(@Nullable Envelope current) {
		if (current != null && current.isTombstone()) {
			if (this.merge instanceof UpdateObserver observer) {
				observer.metTombstone();
			}
			return null;
		}
		byte[] merged = this.merge.apply((current != null) ? current.payload() : null);
		if (merged == null) {
			return null;
		}
		// Never below the version it merges into, whatever this instance's clock.
		long newVersion = (current != null) ? Math.max(this.version, current.version() + 1) : this.version;
		long expiresAt = this.expiresAtOf.applyAsLong(merged);
		Decided previous = this.last;
		if (previous != null && previous.envelope().payload() == merged && previous.envelope().version() == newVersion
				&& previous.envelope().expiresAtMillis() == expiresAt) {
			return previous.envelope();
		}
		Envelope envelope = Envelope.value(newVersion, expiresAt, merged);
		this.state.storable(this.key, this.encoded, envelope);
		return envelope;
	}

	@Override
	public void stored(Envelope stored) {
		if (this.merge instanceof UpdateObserver observer) {
			observer.storedOnReplica();
		}
	}

	@Override
	public byte[] encode(Envelope decided) {
		Decided previous = this.last;
		if (previous != null && previous.envelope() == decided) {
			return previous.bytes();
		}
		byte[] bytes = this.state.encode(this.encoded, decided);
		this.last = new Decided(decided, bytes);
		return bytes;
	}

}
