package io.memquorum.engine;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import io.memquorum.node.NodeConnection;
import io.memquorum.node.StoredItem;
import io.memquorum.node.NodeConnection.StoredValue;
import org.jspecify.annotations.Nullable;

/**
 * Writes to one replica that depend on what it holds: compare-and-swap with randomized
 * back-off. Implements the contract's {@code add}, {@code replace}, {@code touch} and
 * {@code update} clauses on each replica, the repair rule (write only where the replica
 * holds nothing or something older) and the rollback of a lost {@code add}.
 */
final class ConditionalWrite {

	private static final int MAX_CAS_ATTEMPTS = 16;

	/** Retry until the write succeeds or runs out of attempts. */
	static final BooleanSupplier ALWAYS_RETRY = () -> true;

	/** The first bound of the random pause between compare-and-swap attempts; doubles. */
	private static final long CAS_BACKOFF_MICROS = 200;

	private static final int ROLLBACK_ATTEMPTS = 3;

	private final EngineState state;

	ConditionalWrite(EngineState state) {
		this.state = state;
	}

	/**
	 * Write to one replica only if {@code decide} says so, given what the replica holds
	 * now, with compare-and-swap so that nothing written meanwhile is lost.
	 * @param node the replica
	 * @param encoded the memcached key
	 * @param decide given the live envelope ({@code null} when absent, unreadable or an
	 * absent marker), the envelope to store, or {@code null} to leave the replica as it
	 * is
	 * @return the envelope stored, or {@code null} when declined
	 */
	CompletableFuture<@Nullable Envelope> apply(Node node, String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> decide) {
		return apply(node, encoded, decide, MAX_CAS_ATTEMPTS, ALWAYS_RETRY);
	}

	/**
	 * As {@link #apply(Node, String, Function)}, starting from what a read just found on
	 * the replica instead of reading it again.
	 * @param node the replica
	 * @param encoded the memcached key
	 * @param decide as for {@link #apply(Node, String, Function)}
	 * @param known the item the read found, {@code null} when it found nothing
	 * @param retryWanted asked after a compare-and-swap lost: whether to try again, or
	 * give up so that the caller keeps the write as a hint
	 * @return the envelope stored, or {@code null} when declined
	 */
	CompletableFuture<@Nullable Envelope> applyFrom(Node node, String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> decide, @Nullable StoredItem known,
			BooleanSupplier retryWanted) {
		return decideAndStore(node, encoded, decide, MAX_CAS_ATTEMPTS, known, retryWanted);
	}

	/**
	 * As {@link #applyFrom}, once a read of the replica already sent answers: a write
	 * right after a read that has not heard from every replica yet waits for it instead
	 * of reading again. When that read fails, or none was sent, the replica is read.
	 * @param node the replica
	 * @param encoded the memcached key
	 * @param decide as for {@link #apply(Node, String, Function)}
	 * @param sent the read already sent, or {@code null}
	 * @param retryWanted as for {@link #applyFrom}
	 * @return the envelope stored, or {@code null} when declined
	 */
	CompletableFuture<@Nullable Envelope> applyAfter(Node node, String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> decide,
			@Nullable CompletableFuture<@Nullable StoredItem> sent, BooleanSupplier retryWanted) {
		if (sent == null) {
			return apply(node, encoded, decide, MAX_CAS_ATTEMPTS, retryWanted);
		}
		return sent
			.handle((item, failure) -> (failure == null) ? applyFrom(node, encoded, decide, item, retryWanted)
					: apply(node, encoded, decide, MAX_CAS_ATTEMPTS, retryWanted))
			.thenCompose(Function.identity());
	}

	private CompletableFuture<@Nullable Envelope> apply(Node node, String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> decide, int attemptsLeft, BooleanSupplier retryWanted) {
		return this.state.read(node, encoded)
			.thenCompose((item) -> decideAndStore(node, encoded, decide, attemptsLeft, item, retryWanted));
	}

	private CompletableFuture<@Nullable Envelope> decideAndStore(Node node, String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> decide, int attemptsLeft, @Nullable StoredItem item,
			BooleanSupplier retryWanted) {
		NodeConnection connection = node.connection();
		Envelope current = (item != null) ? this.state.decode(node, encoded, item) : null;
		if (current != null && current.kind() == Envelope.Kind.ABSENT && !(decide instanceof SeesAbsentMarkers)) {
			current = null;
		}
		Envelope next = decide.apply(current);
		if (next == null) {
			return CompletableFuture.completedFuture(null);
		}
		int expiry = this.state.expiry(next);
		if (expiry < 0) {
			return CompletableFuture.completedFuture(null);
		}
		byte[] bytes = (decide instanceof EncodesItsEnvelopes encoder) ? encoder.encode(next)
				: this.state.encode(encoded, next);
		StoredValue value = new StoredValue(Envelope.FLAGS, bytes);
		CompletableFuture<Boolean> stored = (item != null) ? connection.cas(encoded, expiry, value, item.cas())
				: connection.add(encoded, expiry, value);
		return stored.thenCompose((ok) -> {
			if (ok) {
				if (decide instanceof LearnsWhatWasStored learns) {
					learns.stored(next);
				}
				return CompletableFuture.completedFuture(next);
			}
			if (attemptsLeft <= 1) {
				return CompletableFuture.failedFuture(new IllegalStateException(node.address
						+ " kept changing under compare-and-swap after " + MAX_CAS_ATTEMPTS + " attempts"));
			}
			if (!retryWanted.getAsBoolean()) {
				return CompletableFuture.failedFuture(new IllegalStateException(
						node.address + " changed under compare-and-swap after the write was decided; kept as a hint"));
			}
			return afterBackOff(MAX_CAS_ATTEMPTS - attemptsLeft)
				.thenCompose((ignored) -> apply(node, encoded, decide, attemptsLeft - 1, retryWanted));
		});
	}

	/**
	 * Writers that lost together would collide again: the retry waits a random pause
	 * whose bound doubles with each attempt (at most 6.4 ms). The pause runs on the
	 * engine's own scheduler, never on the common ForkJoin pool, which application code
	 * can starve.
	 */
	private CompletableFuture<Void> afterBackOff(int attempt) {
		long pause = ThreadLocalRandom.current().nextLong(CAS_BACKOFF_MICROS << Math.min(attempt, 5));
		CompletableFuture<Void> elapsed = new CompletableFuture<>();
		try {
			this.state.maintenance.schedule(() -> elapsed.complete(null), pause, TimeUnit.MICROSECONDS);
		}
		catch (RuntimeException ex) {
			// The engine is closing: give up rather than retry on another pool.
			elapsed.completeExceptionally(new MemquorumException("The engine is closed", ex));
		}
		return elapsed;
	}

	/**
	 * Write {@code envelope} to a replica only where it adds something: by default where
	 * the replica holds nothing or something older; for keys with a registered
	 * {@link EntryMerge}, the merge of both wherever it differs from what the replica
	 * holds.
	 * @param node the replica
	 * @param encoded the memcached key
	 * @param envelope the newest known envelope
	 * @return the envelope stored, or {@code null} when the replica already had it or
	 * newer
	 */
	CompletableFuture<@Nullable Envelope> writeIfNewer(Node node, String encoded, Envelope envelope) {
		EntryMerge merge = this.state.merges.forKey(encoded);
		return apply(node, encoded, unlessUncommitted(encoded, (current) -> merge.merge(current, envelope)));
	}

	/**
	 * A copy between replicas that never writes the value of an add not known to have won
	 * ({@link UncommittedAdds}).
	 * @param encoded the memcached key
	 * @param copy the decision of the copy
	 * @return the same decision, declining such values
	 */
	Function<@Nullable Envelope, @Nullable Envelope> unlessUncommitted(String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> copy) {
		UncommittedAdds uncommitted = this.state.uncommittedAdds;
		if (copy instanceof SeesAbsentMarkers) {
			return (SeesAbsentMarkers) (current) -> declineUncommitted(uncommitted, encoded, copy.apply(current));
		}
		return (current) -> declineUncommitted(uncommitted, encoded, copy.apply(current));
	}

	private static @Nullable Envelope declineUncommitted(UncommittedAdds uncommitted, String encoded,
			@Nullable Envelope next) {
		return (next != null && uncommitted.holds(encoded, next)) ? null : next;
	}

	/**
	 * Undo a lost add on the replicas where it was stored: each gets back what the add
	 * replaced, so a tombstone the add overwrote keeps shadowing any replica that missed
	 * the delete.
	 * @param encoded the memcached key
	 * @param lost the add's envelope
	 * @param storedOn the replicas where it was stored
	 * @param displaced what the add replaced on each replica (a tombstone), by replica
	 * @param settled told of each replica once its rollback is done or given up
	 */
	void rollBack(String encoded, Envelope lost, List<Node> storedOn, Map<Node, Envelope> displaced,
			Consumer<Node> settled) {
		for (Node node : storedOn) {
			rollBack(node, encoded, lost, displaced.get(node), ROLLBACK_ATTEMPTS, settled);
		}
	}

	/**
	 * Undo a lost add on one replica, unless something newer replaced it meanwhile. A
	 * replica left holding the loser's value would disagree with the quorum, so a failed
	 * attempt is retried after a probe interval.
	 */
	private void rollBack(Node node, String encoded, Envelope lost, @Nullable Envelope previous, int attemptsLeft,
			Consumer<Node> settled) {
		// An expired tombstone shadows nothing any more; the absent marker then only
		// keeps the loser's value from being read.
		Envelope restored = (previous != null && this.state.expiry(previous) > 0) ? previous
				: Envelope.absent().withExpiry(this.state.wallClock.getAsLong() + 1000);
		apply(node, encoded, (current) -> (current != null && current.version() == lost.version()) ? restored : null)
			.whenComplete((stored, failure) -> {
				if (failure != null && attemptsLeft > 1 && !this.state.maintenance.isShutdown()) {
					this.state.maintenance.schedule(
							() -> rollBack(node, encoded, lost, previous, attemptsLeft - 1, settled),
							this.state.settings.probeInterval().toMillis(), TimeUnit.MILLISECONDS);
				}
				else {
					settled.accept(node);
				}
			});
	}

	/**
	 * A decision that encodes the envelopes it decides, so that one envelope decided for
	 * several replicas is encoded (and signed) once.
	 */
	interface EncodesItsEnvelopes {

		/**
		 * The bytes to store for an envelope this decision returned.
		 * @param decided the envelope
		 * @return its encoding, signed when the engine signs
		 */
		byte[] encode(Envelope decided);

	}

	/**
	 * A decision that is told when a replica stored what it decided, as opposed to
	 * deciding on an item that changed before the compare-and-swap.
	 */
	interface LearnsWhatWasStored {

		/**
		 * Called once the replica acknowledged the write.
		 * @param stored the envelope stored
		 */
		void stored(Envelope stored);

	}

	/**
	 * A decision that is shown an absent marker as it is, instead of as nothing: a copy
	 * from elsewhere (refill) must not take the place of a key released or rolled back a
	 * moment ago.
	 */
	interface SeesAbsentMarkers extends Function<@Nullable Envelope, @Nullable Envelope> {

	}

}
