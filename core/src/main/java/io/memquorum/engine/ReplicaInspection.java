package io.memquorum.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.memquorum.engine.ReplicaEntry.Holding;
import io.memquorum.node.StoredItem;
import org.jspecify.annotations.Nullable;

/**
 * Asks every replica of one key what it holds, for operators: one {@code gets} per
 * replica that is not down, all at once. It only looks: no read repair, no hint, no
 * unreadable-value metric, and the version clock does not observe what it sees. Like any
 * command, a {@code gets} that times out is a failure event for the node's failure
 * detector ({@link TimeoutScan}): a node that does not answer an operator is as suspect
 * as one that does not answer the application. The payload is decoded to check it
 * (checksum, signature) and then dropped: only its size leaves this class.
 */
final class ReplicaInspection {

	private final EngineState state;

	ReplicaInspection(EngineState state) {
		this.state = state;
	}

	CompletableFuture<List<ReplicaEntry>> inspect(String encoded) {
		List<CompletableFuture<ReplicaEntry>> answers = new ArrayList<>();
		for (Node node : this.state.replicas(encoded)) {
			answers.add(inspect(node, encoded));
		}
		return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
			.thenApply((ignored) -> answers.stream().map(CompletableFuture::join).toList());
	}

	private CompletableFuture<ReplicaEntry> inspect(Node node, String encoded) {
		NodeState nodeState = node.state();
		boolean readable = node.isReadable(encoded);
		if (nodeState == NodeState.DOWN) {
			return CompletableFuture
				.completedFuture(entry(node, nodeState, readable, Holding.NOT_ASKED, null, node.status().downReason()));
		}
		CompletableFuture<@Nullable StoredItem> read;
		try {
			read = this.state.read(node, encoded);
		}
		catch (RuntimeException ex) {
			read = CompletableFuture.failedFuture(ex);
		}
		return read.handle((item, failure) -> {
			if (failure != null) {
				Throwable cause = Completions.unwrap(failure);
				return entry(node, nodeState, readable, Holding.NO_ANSWER, null,
						cause.getClass().getSimpleName() + ": " + cause.getMessage());
			}
			if (item == null) {
				return entry(node, nodeState, readable, Holding.NOTHING, null, null);
			}
			Envelope.Reading reading = Envelope.read(item, encoded, this.state.signer);
			Envelope envelope = reading.envelope();
			if (envelope == null) {
				Envelope.Unreadable unreadable = reading.unreadable();
				return entry(node, nodeState, readable, Holding.UNREADABLE, null,
						(unreadable != null) ? unreadable.tag() : null);
			}
			Holding holds = switch (envelope.kind()) {
				case VALUE -> Holding.VALUE;
				case TOMBSTONE -> Holding.TOMBSTONE;
				case ABSENT -> Holding.ABSENT;
			};
			return entry(node, nodeState, readable, holds, envelope, null);
		});
	}

	private static ReplicaEntry entry(Node node, NodeState nodeState, boolean readable, Holding holds,
			@Nullable Envelope envelope, @Nullable String problem) {
		if (envelope == null) {
			return new ReplicaEntry(node.address, nodeState, readable, holds, -1, null, -1, problem);
		}
		Instant expiresAt = (envelope.expiresAtMillis() != 0) ? Instant.ofEpochMilli(envelope.expiresAtMillis()) : null;
		return new ReplicaEntry(node.address, nodeState, readable, holds, envelope.version(), expiresAt,
				envelope.payload().length, null);
	}

}
