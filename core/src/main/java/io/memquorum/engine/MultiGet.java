package io.memquorum.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.memquorum.node.NodeAddress;
import io.memquorum.node.StoredItem;
import org.jspecify.annotations.Nullable;

/**
 * Reads of many keys. Implements the contract's read clauses for {@code getAll}: in
 * FIRST_HIT mode it walks every key's replicas in rounds, each round sending one
 * multi-get per node for the keys whose walk reached that node, and the next round asks
 * the next replicas only for what is still missing; in MAJORITY mode each key is a
 * {@link MajorityRead}.
 */
final class MultiGet {

	private final EngineState state;

	private final ReadOrder readOrder;

	private final Repair repair;

	MultiGet(EngineState state, ReadOrder readOrder, Repair repair) {
		this.state = state;
		this.readOrder = readOrder;
		this.repair = repair;
	}

	/**
	 * Read many keys.
	 * @param byEncoded the application key of each memcached key
	 * @param consistency how to choose among replicas
	 * @return the envelopes found (values and tombstones), by memcached key
	 */
	CompletableFuture<Map<String, Envelope>> read(Map<String, String> byEncoded, ReadConsistency consistency) {
		if (consistency == ReadConsistency.MAJORITY) {
			return majority(byEncoded);
		}
		return new Rounds(byEncoded).start();
	}

	private CompletableFuture<Map<String, Envelope>> majority(Map<String, String> byEncoded) {
		Map<String, CompletableFuture<@Nullable Envelope>> reads = new LinkedHashMap<>();
		byEncoded.forEach((encoded, key) -> reads.put(encoded,
				new MajorityRead(this.state, this.readOrder, this.repair, key, encoded).start()));
		return CompletableFuture.allOf(reads.values().toArray(CompletableFuture[]::new)).thenApply((ignored) -> {
			Map<String, Envelope> found = new LinkedHashMap<>();
			reads.forEach((encoded, read) -> {
				Envelope envelope = read.join();
				if (envelope != null) {
					found.put(encoded, envelope);
				}
			});
			return found;
		});
	}

	/** A FIRST_HIT read of many keys, in rounds. */
	private final class Rounds {

		private final Map<String, String> byEncoded;

		private final Map<String, KeyWalk> pending = new LinkedHashMap<>();

		private final Map<String, Envelope> found = new LinkedHashMap<>();

		private final CompletableFuture<Map<String, Envelope>> result = new CompletableFuture<>();

		private int outstanding;

		Rounds(Map<String, String> byEncoded) {
			this.byEncoded = byEncoded;
			for (String encoded : byEncoded.keySet()) {
				KeyWalk walk = new KeyWalk();
				walk.order = MultiGet.this.readOrder.firstHitOrder(encoded, walk.failures);
				this.pending.put(encoded, walk);
			}
		}

		CompletableFuture<Map<String, Envelope>> start() {
			round();
			return this.result;
		}

		private synchronized void round() {
			Map<Node, List<String>> batches = new LinkedHashMap<>();
			List<String> exhausted = new ArrayList<>();
			this.pending.forEach((encoded, walk) -> {
				if (walk.next < walk.order.size()) {
					batches.computeIfAbsent(walk.order.get(walk.next++), (node) -> new ArrayList<>()).add(encoded);
				}
				else {
					exhausted.add(encoded);
				}
			});
			for (String encoded : exhausted) {
				KeyWalk walk = this.pending.remove(encoded);
				if (walk.answered == 0) {
					MultiGet.this.state.metrics.quorumFailure("get");
					this.result.completeExceptionally(new QuorumNotReachedException("get", this.byEncoded.get(encoded),
							1, MultiGet.this.state.replicationFactor(), 0, walk.failures));
					return;
				}
			}
			if (batches.isEmpty()) {
				this.result.complete(this.found);
				return;
			}
			this.outstanding = batches.size();
			batches.forEach((node, keys) -> MultiGet.this.state.timed(node, "get", node.connection().getsMulti(keys))
				.whenComplete((items, failure) -> received(node, keys, items, failure)));
		}

		private synchronized void received(Node node, List<String> keys, @Nullable Map<String, StoredItem> items,
				@Nullable Throwable failure) {
			EngineState state = MultiGet.this.state;
			if (failure != null) {
				Throwable cause = Completions.unwrap(failure);
				state.recordFailure(node, cause);
				for (String encoded : keys) {
					this.pending.get(encoded).failures.put(node.address, cause.getMessage());
					state.metrics.failover(node.address);
				}
			}
			else {
				node.recordSuccess();
				for (String encoded : keys) {
					KeyWalk walk = this.pending.get(encoded);
					walk.answered++;
					Envelope envelope = state.liveOrTombstone(node, encoded,
							(items != null) ? items.get(encoded) : null);
					if (envelope == null) {
						walk.missed.add(node);
						state.metrics.failover(node.address);
					}
					else {
						this.pending.remove(encoded);
						this.found.put(encoded, envelope);
						MultiGet.this.repair.repair(walk.missed, encoded, envelope);
					}
				}
			}
			if (--this.outstanding == 0) {
				round();
			}
		}

	}

	private static final class KeyWalk {

		final Map<NodeAddress, String> failures = new LinkedHashMap<>();

		final List<Node> missed = new ArrayList<>(2);

		List<Node> order = List.of();

		int next;

		int answered;

	}

}
