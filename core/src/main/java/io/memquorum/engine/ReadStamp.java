package io.memquorum.engine;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.memquorum.node.NodeAddress;
import io.memquorum.node.StoredItem;
import org.jspecify.annotations.Nullable;

/**
 * What each replica held when a value was read, with its compare-and-swap token, so that
 * an {@code update} right after the read can send its compare-and-swap at once instead of
 * reading every replica again. A replica that changed meanwhile fails the
 * compare-and-swap, and the update reads it and retries as usual: a stamp saves round
 * trips, never correctness.
 */
public final class ReadStamp {

	/** A stamp that knows nothing: every replica is read first. */
	public static final ReadStamp NONE = new ReadStamp();

	/** Stands for "the replica held nothing": the update may {@code add}. */
	private static final StoredItem NOTHING = new StoredItem(0, new byte[0], 0);

	private final Map<NodeAddress, StoredItem> items = new ConcurrentHashMap<>();

	/** Reads still on their way: a write waits for them rather than reading again. */
	private final Map<NodeAddress, CompletableFuture<@Nullable StoredItem>> reading = new ConcurrentHashMap<>();

	ReadStamp() {
	}

	void reading(NodeAddress node, CompletableFuture<@Nullable StoredItem> read) {
		if (this != NONE) {
			this.reading.put(node, read);
		}
	}

	/**
	 * The read of a replica that this stamp's read sent, answered or not.
	 * @param node the replica
	 * @return the read, or {@code null} when none was sent
	 */
	@Nullable CompletableFuture<@Nullable StoredItem> read(NodeAddress node) {
		return this.reading.get(node);
	}

	void record(NodeAddress node, @Nullable StoredItem item) {
		if (this != NONE) {
			this.items.put(node, (item != null) ? item : NOTHING);
		}
	}

	/**
	 * Whether a replica was read.
	 * @param node the replica
	 * @return whether {@link #held(NodeAddress)} knows it
	 */
	boolean knows(NodeAddress node) {
		return this.items.containsKey(node);
	}

	/**
	 * What a replica held, when {@link #knows(NodeAddress)}.
	 * @param node the replica
	 * @return the item, or {@code null} when it held nothing
	 */
	@Nullable StoredItem held(NodeAddress node) {
		StoredItem item = this.items.get(node);
		return (item == NOTHING) ? null : item;
	}

}
