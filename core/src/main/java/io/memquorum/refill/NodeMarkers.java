package io.memquorum.refill;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import io.memquorum.engine.KeyEncoder;
import io.memquorum.node.NodeConnection.StoredValue;
import io.memquorum.node.NodeIncarnation;
import io.memquorum.node.StoredItem;
import io.memquorum.signing.LineSigner;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes the completeness markers of the nodes ({@link RefillMarker}) for
 * {@link Refill}: a marker is read against the node's process life, written only while
 * the run's lease is still held, and read again once a lease is taken, in case another
 * instance completed the node meanwhile.
 */
final class NodeMarkers {

	private static final Logger logger = LoggerFactory.getLogger(Refill.class);

	private final KeyEncoder keys;

	private final @Nullable LineSigner signer;

	private final LongSupplier wallClock;

	private final Duration commandWait;

	NodeMarkers(KeyEncoder keys, @Nullable LineSigner signer, LongSupplier wallClock, Duration commandWait) {
		this.keys = keys;
		this.signer = signer;
		this.wallClock = wallClock;
		this.commandWait = commandWait;
	}

	/** The marker on a node, judged against the process life it is in. */
	RefillMarker.Reading read(RefillNode node, NodeIncarnation incarnation) {
		return RefillMarker.read(value(await(node.connection().gets(key()), node, "read its marker")), key(),
				node.address(), incarnation, this.signer);
	}

	/**
	 * The node's marker, read again now that this instance holds the lease, when it says
	 * the node is complete; then the lease is released.
	 */
	RefillMarker.@Nullable Contents completedMeanwhile(RefillNode node, NodeIncarnation incarnation, RefillLease lease,
			String fingerprint) {
		RefillMarker.Contents marker;
		try {
			marker = read(node, incarnation).contents();
		}
		catch (RefillException ex) {
			// The run reads the node anyway and fails there if it is gone.
			return null;
		}
		if (marker == null || !marker.covers(fingerprint)) {
			return null;
		}
		lease.release();
		return marker;
	}

	/** The marker's memcached key. */
	String key() {
		return this.keys.internalKey(RefillMarker.NAME);
	}

	private static byte @Nullable [] value(@Nullable StoredItem item) {
		return (item != null && item.flags() == 0) ? item.data() : null;
	}

	/**
	 * Wait for one command of a check, at most the command wait.
	 * @throws RefillException when it failed, took too long, or the check was stopped
	 */
	<T> T await(CompletableFuture<T> future, RefillNode node, String what) {
		try {
			return future.get(this.commandWait.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw new RefillException(node.address() + " could not " + what + ": " + ex.getCause().getMessage(),
					ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new RefillException(
					node.address() + " did not " + what + " in " + this.commandWait.toMillis() + " ms", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RefillException("stopped");
		}
	}

	/**
	 * Mark a node complete for a view, keeping what its marker said it was filled for
	 * before; only while the lease is still held.
	 * @return whether the marker was written
	 */
	boolean write(RefillNode node, RefillMarker.@Nullable Contents marker, NodeIncarnation incarnation,
			LeaseKeeper lease, RefillView view) {
		try {
			// A renewed lease proves the node is still the incarnation that was filled: a
			// restart would have taken the lease with it.
			if (!lease.renewNow()) {
				return false;
			}
			Set<String> fingerprints = RefillMarker.withFingerprint(marker, view.fingerprint());
			if (!view.fingerprint().equals(view.settledFingerprint())) {
				// Filled for the change, it is filled for the placement after it too.
				fingerprints = RefillMarker.withFingerprint(
						new RefillMarker.Contents(node.address().toString(), incarnation, fingerprints, 0),
						view.settledFingerprint());
			}
			byte[] value = RefillMarker.encode(key(), node.address(), incarnation, fingerprints,
					this.wallClock.getAsLong(), this.signer);
			return await(node.connection().set(key(), 0, new StoredValue(0, value)), node, "write its marker");
		}
		catch (RefillException ex) {
			logger.debug("Could not mark {} complete: {}", node.address(), ex.getMessage());
			return false;
		}
	}

}
