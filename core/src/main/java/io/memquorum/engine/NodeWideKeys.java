package io.memquorum.engine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.memquorum.node.NodeConnection.StoredValue;
import org.jspecify.annotations.Nullable;

/**
 * Keys kept on every node instead of on their placement's replicas, such as a cache's
 * generation: any replica of any key holds them, so a read of a key and a node-wide key
 * costs one round trip to one replica. Reach it through
 * {@link ReplicatedMemcached#nodeWide()}.
 *
 * <h2>Consistency</h2>
 * <ul>
 * <li>A write ({@link #set}, {@link #add}) goes to every node and returns only once every
 * node has answered or failed; it succeeds when a majority of all nodes stored it. A node
 * that missed it gets a hint and serves no reads until the hint is replayed. So once a
 * write returns, every node serving reads from this engine holds it. Hints live in the
 * writing engine: another engine that still reads a node the writer could not reach may
 * read the older value there until the writer replays its hint.</li>
 * <li>{@link #get} reads a majority of all nodes and answers with the newest value among
 * them (the newest among fewer when no majority can answer), and repairs the nodes that
 * hold nothing or something older.</li>
 * <li>{@link #getWith} reads a key FIRST_HIT together with a node-wide key from the same
 * replica. A node that restarted empty or evicted the node-wide key answers without it:
 * the caller decides what that means (for a cache: ask {@link #get}). A replica that owes
 * a hint for the node-wide key is asked last and answers without it too: its copy may be
 * older than what this engine wrote.</li>
 * <li>Node-wide keys never expire and are not meant to be deleted.</li>
 * </ul>
 */
public final class NodeWideKeys {

	private final EngineState state;

	private final ReadOrder readOrder;

	private final Repair repair;

	private final ConditionalWrite conditional;

	private final EveryNodeWrite write;

	private final Duration deadline;

	NodeWideKeys(EngineState state, ReadOrder readOrder, Repair repair, ConditionalWrite conditional, Hints hints,
			Duration deadline) {
		this.state = state;
		this.readOrder = readOrder;
		this.repair = repair;
		this.conditional = conditional;
		this.write = new EveryNodeWrite(state, hints);
		this.deadline = deadline;
	}

	/**
	 * Store a value on every node; see the class's consistency notes.
	 * @param key the node-wide key
	 * @param value the value
	 * @throws QuorumNotReachedException when fewer than a majority of all nodes stored it
	 */
	public void set(String key, byte[] value) {
		Completions.await(setAsync(key, value), this.deadline);
	}

	/**
	 * As {@link #set(String, byte[])}, without blocking.
	 * @param key the node-wide key
	 * @param value the value
	 * @return the version the value was stored with, once every node answered or failed;
	 * exceptionally {@link QuorumNotReachedException}
	 */
	public CompletableFuture<Long> setAsync(String key, byte[] value) {
		String encoded = this.state.keyEncoder.encode(key);
		Envelope envelope = Envelope.value(this.state.versions.next(), 0, value);
		StoredValue stored = this.state.storable(key, encoded, envelope);
		return this.write
			.send("set", key, encoded, (node) -> node.connection().set(encoded, 0, stored).thenApply((ok) -> {
				if (!ok) {
					throw new IllegalStateException(node.address + " did not store the value");
				}
				return envelope;
			}))
			.thenApply((ignored) -> envelope.version());
	}

	/**
	 * Store a value on every node that holds none.
	 * @param key the node-wide key
	 * @param value the value
	 * @return whether a majority of all nodes stored it
	 * @throws QuorumNotReachedException when fewer than a majority of all nodes answered
	 */
	public boolean add(String key, byte[] value) {
		return Completions.await(addAsync(key, value), this.deadline);
	}

	public CompletableFuture<Boolean> addAsync(String key, byte[] value) {
		String encoded = this.state.keyEncoder.encode(key);
		Envelope envelope = Envelope.value(this.state.versions.next(), 0, value);
		this.state.storable(key, encoded, envelope);
		return this.write.send("add", key, encoded, (node) -> this.conditional.apply(node, encoded,
				(current) -> (current == null || current.isTombstone()) ? envelope : null));
	}

	/**
	 * Read a node-wide key from a majority of all nodes.
	 * @param key the node-wide key
	 * @return the newest value, or {@code null} when none holds one
	 * @throws QuorumNotReachedException when no node can answer
	 */
	public byte @Nullable [] get(String key) {
		return Completions.await(getAsync(key), this.deadline);
	}

	public CompletableFuture<byte @Nullable []> getAsync(String key) {
		return getVersionedAsync(key).thenApply((envelope) -> (envelope != null) ? envelope.payload() : null);
	}

	/**
	 * Read a node-wide key from a majority of all nodes, with its version.
	 * @param key the node-wide key
	 * @return the newest value's envelope ({@link Envelope#payload()},
	 * {@link Envelope#version()}), or {@code null} when none holds a value; exceptionally
	 * {@link QuorumNotReachedException} when no node can answer
	 */
	public CompletableFuture<@Nullable Envelope> getVersionedAsync(String key) {
		String encoded = this.state.keyEncoder.encode(key);
		return new EveryNodeRead(this.state, this.repair, key, encoded).start()
			.thenApply((envelope) -> (envelope != null && envelope.isValue()) ? envelope : null);
	}

	/**
	 * Read a key FIRST_HIT and a node-wide key from the same replica, in one round trip
	 * per replica asked.
	 * @param key the key
	 * @param nodeWideKey the node-wide key
	 * @return what the answering replica holds; exceptionally
	 * {@link QuorumNotReachedException} when no replica of the key could answer
	 */
	public CompletableFuture<ValueWithCompanion> getWithAsync(String key, String nodeWideKey) {
		String encoded = this.state.keyEncoder.encode(key);
		String companion = this.state.keyEncoder.encode(nodeWideKey);
		return new CompanionRead(this.state, this.readOrder, this.repair, key, encoded, companion).start();
	}

}
