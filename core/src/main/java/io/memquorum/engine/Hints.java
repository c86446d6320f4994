package io.memquorum.engine;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Hinted handoff. Implements the contract's first "Failure" clause: a replica that missed
 * a successful write or delete gets a hint, the newest envelope per key, bounded in keys
 * and bytes per node; a returning node gets its hints replayed with the repair rule
 * before it serves reads.
 */
final class Hints {

	private static final int HINT_BATCH = 64;

	private final EngineState state;

	private final ConditionalWrite conditional;

	Hints(EngineState state, ConditionalWrite conditional) {
		this.state = state;
		this.conditional = conditional;
	}

	void queue(Node node, String encoded, Envelope envelope) {
		if (node.hints.add(encoded, envelope, this.state.merges.forKey(encoded))) {
			this.state.metrics.hintQueued(node.address);
		}
		else {
			this.state.metrics.hintDropped(node.address);
		}
	}

	/**
	 * Replay every hint of a node, a batch at a time, each only where the node holds
	 * nothing or something older.
	 * @param node the node
	 * @return completes when the log is empty, or with the first failure
	 */
	CompletableFuture<Void> replay(Node node) {
		List<HintLog.Hint> batch = node.hints.batch(HINT_BATCH);
		if (batch.isEmpty()) {
			return CompletableFuture.completedFuture(null);
		}
		CompletableFuture<?>[] replays = new CompletableFuture<?>[batch.size()];
		for (int i = 0; i < batch.size(); i++) {
			HintLog.Hint hint = batch.get(i);
			replays[i] = this.conditional.writeIfNewer(node, hint.key(), hint.envelope()).thenRun(() -> {
				node.hints.replayed(hint);
				this.state.metrics.hintReplayed(node.address);
			});
		}
		return CompletableFuture.allOf(replays).thenCompose((ignored) -> replay(node));
	}

}
