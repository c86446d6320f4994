package io.memquorum.engine;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeConnection.StoredValue;
import org.jspecify.annotations.Nullable;

/**
 * Sends one write to every replica of a key and decides it by quorum. Implements the
 * contract's "Writes" clause: the write goes to all R replicas at once and completes when
 * the write quorum has acknowledged; the rest finish in the background, are never
 * cancelled, and get a hint when they miss a write that succeeded. A write that cannot
 * reach its quorum raises {@link QuorumNotReachedException} naming every replica's
 * reason. During a change of the node set the replicas are the key's old and new owners,
 * and the quorum is a write quorum of each ({@link JointQuorum}).
 */
final class QuorumWrite {

	private final EngineState state;

	private final ReadOrder readOrder;

	private final Hints hints;

	QuorumWrite(EngineState state, ReadOrder readOrder, Hints hints) {
		this.state = state;
		this.readOrder = readOrder;
		this.hints = hints;
	}

	/**
	 * Send one write to every replica of a key and complete once the write quorum
	 * decided.
	 * @param operation the operation's name, for messages and metrics
	 * @param key the application key, for messages
	 * @param encoded the memcached key
	 * @param conditional whether the write reads before it writes (two round trips), so
	 * that replicas still applying it are read last
	 * @param perReplica the write on one replica: the envelope stored, or {@code null}
	 * when the replica declined
	 * @return the outcome; exceptionally {@link QuorumNotReachedException}
	 */
	CompletableFuture<WriteOutcome> send(String operation, String key, String encoded, boolean conditional,
			Function<Node, CompletableFuture<@Nullable Envelope>> perReplica) {
		// One view for the whole write: the replicas and the quorum it must reach.
		Membership membership = this.state.membership();
		List<Node> replicas = membership.replicas(encoded);
		Replies replies = new Replies(operation, key, encoded, replicas,
				new JointQuorum(membership.quorumGroups(encoded), this.state.settings.writeQuorum()), conditional);
		this.state.sendToEach(replicas, operation, perReplica, replies);
		return replies.result;
	}

	/**
	 * A plain write: the same bytes set on every replica, never declined.
	 * @return completes once the write quorum stored it
	 */
	CompletableFuture<Void> store(String operation, String key, String encoded, Envelope envelope, StoredValue stored) {
		return send(operation, key, encoded, false,
				(node) -> node.connection().set(encoded, this.state.expiry(envelope), stored).thenApply((ok) -> {
					if (!ok) {
						throw new IllegalStateException(node.address + " did not store the value");
					}
					return envelope;
				}))
			.thenAccept(WriteOutcome::requireSucceeded);
	}

	/**
	 * A write that each replica decides from what it holds, with compare-and-swap; a
	 * replica whose item the stamp already read starts from it.
	 *
	 * <p>
	 * For a key with its own merge (a session), a replica that loses its swap once the
	 * quorum has decided stops there, and the write reaches it as a hint: the hint's
	 * merge carries the whole change, so nothing is lost. Retrying fed on itself: the
	 * slower a replica answered, the more saves of the same key met between its read and
	 * its swap, and the session benchmark stayed at half speed with 4,000 to 30,000 lost
	 * swaps a second on one replica (about 360 on a healthy run). Other keys keep
	 * retrying: an update function cannot be replayed from a hint.
	 * @return whether the write quorum stored it
	 */
	CompletableFuture<Boolean> conditionally(ConditionalWrite conditional, String operation, String key, String encoded,
			ReadStamp stamp, Function<@Nullable Envelope, @Nullable Envelope> decide) {
		AtomicReference<@Nullable CompletableFuture<WriteOutcome>> outcome = new AtomicReference<>();
		BooleanSupplier retryWanted = (this.state.merges.registeredFor(encoded) == null) ? ConditionalWrite.ALWAYS_RETRY
				: () -> {
					CompletableFuture<WriteOutcome> decided = outcome.get();
					return decided == null || !decided.isDone();
				};
		CompletableFuture<WriteOutcome> sent = send(operation, key, encoded, true,
				(node) -> stamp.knows(node.address)
						? conditional.applyFrom(node, encoded, decide, stamp.held(node.address), retryWanted)
						: conditional.applyAfter(node, encoded, decide, stamp.read(node.address), retryWanted));
		outcome.set(sent);
		return sent.thenApply(WriteOutcome::succeeded);
	}

	/**
	 * What a write achieved.
	 *
	 * @param succeeded whether the write quorum stored it
	 * @param storedOn the replicas that stored it by the time it was decided
	 */
	record WriteOutcome(boolean succeeded, List<Node> storedOn) {

		/** A plain set or delete is never declined: it succeeds or fails the quorum. */
		void requireSucceeded() {
			if (!this.succeeded) {
				throw new IllegalStateException("A plain write cannot be declined");
			}
		}

	}

	/**
	 * Collects the replies of one write. Decides as soon as the quorum has stored, or
	 * once all replicas answered; queues hints for the replicas that missed a write that
	 * succeeded.
	 */
	private final class Replies implements WriteReplies {

		private final String operation;

		private final String key;

		private final String encoded;

		private final List<Node> replicas;

		private final JointQuorum quorum;

		private final boolean conditional;

		private final Map<NodeAddress, String> failures = new LinkedHashMap<>();

		private final List<Node> missed = new ArrayList<>();

		private final List<Node> storedOn = new ArrayList<>();

		private final List<Node> settledNodes = new ArrayList<>();

		private final List<Node> declinedBy = new ArrayList<>();

		private @Nullable Set<Node> lagging;

		private int declined;

		/** Whether the result is decided; guarded by this object's lock. */
		private boolean decided;

		private @Nullable Envelope stored;

		final CompletableFuture<WriteOutcome> result = new CompletableFuture<>();

		Replies(String operation, String key, String encoded, List<Node> replicas, JointQuorum quorum,
				boolean conditional) {
			this.operation = operation;
			this.key = key;
			this.encoded = encoded;
			this.replicas = replicas;
			this.quorum = quorum;
			this.conditional = conditional;
		}

		@Override
		public void answered(Node node, @Nullable Envelope envelope) {
			Runnable decision;
			synchronized (this) {
				this.settledNodes.add(node);
				if (envelope != null) {
					this.storedOn.add(node);
					this.stored = envelope;
				}
				else {
					this.declined++;
					this.declinedBy.add(node);
				}
				decision = settle();
			}
			if (decision != null) {
				decision.run();
			}
		}

		@Override
		public void failed(Node node, @Nullable String reason) {
			Runnable decision;
			synchronized (this) {
				this.settledNodes.add(node);
				this.failures.put(node.address, (reason != null) ? reason : "failed");
				this.missed.add(node);
				decision = settle();
			}
			if (decision != null) {
				decision.run();
			}
		}

		/**
		 * Settle what the replies so far decide, holding this write's lock.
		 * @return what completes the result, to run once the lock is released, or
		 * {@code null}: completing runs the caller's dependent stages and wakes the
		 * thread that waits, which the reactor bringing the next reply must not wait for
		 */
		private @Nullable Runnable settle() {
			int acknowledged = this.storedOn.size();
			int settled = acknowledged + this.declined + this.failures.size();
			int replicaCount = this.replicas.size();
			boolean reached = this.quorum.reachedBy(this.storedOn);
			Runnable decision = null;
			if (!this.decided) {
				if (reached) {
					if (this.conditional && settled < replicaCount) {
						markLagging();
					}
					this.decided = true;
					WriteOutcome outcome = new WriteOutcome(true, List.copyOf(this.storedOn));
					decision = () -> this.result.complete(outcome);
				}
				else if (this.quorum.lostBy(this.missed) || settled == replicaCount) {
					this.decided = true;
					List<Node> answered = new ArrayList<>(this.storedOn);
					answered.addAll(this.declinedBy);
					if (this.quorum.reachedBy(answered)) {
						WriteOutcome outcome = new WriteOutcome(false, List.copyOf(this.storedOn));
						decision = () -> this.result.complete(outcome);
					}
					else {
						QuorumNotReachedException lost = new QuorumNotReachedException(this.operation, this.key,
								this.quorum.required(), replicaCount, acknowledged, this.failures);
						decision = () -> {
							QuorumWrite.this.state.metrics.quorumFailure(this.operation);
							this.result.completeExceptionally(lost);
						};
					}
				}
			}
			if (this.lagging != null) {
				Set<Node> stillLagging = this.lagging;
				for (Node node : this.settledNodes) {
					if (stillLagging.remove(node)) {
						QuorumWrite.this.readOrder.caughtUp(this.encoded, node);
					}
				}
				if (stillLagging.isEmpty()) {
					this.lagging = null;
				}
			}
			if (settled == replicaCount && this.stored != null && reached) {
				for (Node node : this.missed) {
					QuorumWrite.this.hints.queue(node, this.encoded, this.stored);
				}
			}
			return decision;
		}

		private void markLagging() {
			Set<Node> unsettled = new HashSet<>(this.replicas);
			unsettled.removeAll(this.settledNodes);
			QuorumWrite.this.readOrder.lagging(this.encoded, unsettled);
			this.lagging = unsettled;
		}

	}

}
