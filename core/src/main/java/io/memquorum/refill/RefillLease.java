package io.memquorum.refill;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.memquorum.node.NodeConnection;
import io.memquorum.node.NodeConnection.StoredValue;
import io.memquorum.node.StoredItem;

/**
 * The right to refill one node incarnation, held by one application instance at a time.
 *
 * <p>
 * The lease is an item under {@code prefix + "#m:refill-lease"} stored on the node being
 * refilled, holding the owner's random id, with a lifetime of {@code ttl}. It is taken
 * with {@code add} (only one instance can), renewed with compare-and-swap while copying,
 * and deleted when the run ends. When the owner dies its lease expires and another
 * instance takes over; when the node restarts the lease dies with it, so the owner's next
 * renewal fails and it stops copying into an incarnation it did not start on.
 *
 * <p>
 * Called from the refill thread only; each call waits for the node.
 */
final class RefillLease {

	/** The lease's name under the key prefix. */
	static final String NAME = "refill-lease";

	private static final int FLAGS = 0;

	private final Supplier<NodeConnection> node;

	private final String key;

	private final byte[] owner;

	private final int ttlSeconds;

	private final Duration wait;

	/**
	 * A lease on one node.
	 * @param node the connection to the node being refilled, which also stores the lease;
	 * asked each time, since a reconnect replaces it
	 * @param key the lease's memcached key
	 * @param owner this instance's id
	 * @param ttl how long the lease outlives its last renewal; whole seconds, at least 1
	 * @param wait how long to wait for the node per command
	 */
	RefillLease(Supplier<NodeConnection> node, String key, String owner, Duration ttl, Duration wait) {
		this.node = node;
		this.key = key;
		this.owner = ("owner=" + owner).getBytes(StandardCharsets.US_ASCII);
		this.ttlSeconds = (int) Math.max(1, (ttl.toMillis() + 999) / 1000);
		this.wait = wait;
	}

	/**
	 * Take the lease if nobody holds it.
	 * @return {@code true} when this instance holds it now
	 * @throws RefillException when the node did not answer
	 */
	boolean tryAcquire() {
		return await(this.node.get().add(this.key, this.ttlSeconds, new StoredValue(FLAGS, this.owner)),
				"take the lease");
	}

	/**
	 * Extend the lease by its lifetime, if this instance still holds it.
	 * @return {@code false} when the lease is gone (expired, or the node restarted) or
	 * another instance holds it
	 * @throws RefillException when the node did not answer
	 */
	boolean renew() {
		StoredItem item = await(this.node.get().gets(this.key), "read the lease");
		if (item == null || !Arrays.equals(item.data(), this.owner)) {
			return false;
		}
		return await(this.node.get().cas(this.key, this.ttlSeconds, new StoredValue(FLAGS, this.owner), item.cas()),
				"renew the lease");
	}

	/**
	 * Give the lease up if this instance holds it, so another instance need not wait for
	 * it to expire. Failures are ignored: the lease then expires on its own.
	 */
	void release() {
		try {
			StoredItem item = await(this.node.get().gets(this.key), "read the lease");
			if (item != null && Arrays.equals(item.data(), this.owner)) {
				await(this.node.get().delete(this.key), "release the lease");
			}
		}
		catch (RefillException ex) {
			// expires on its own
		}
	}

	private <T> T await(CompletableFuture<T> future, String what) {
		try {
			return future.get(this.wait.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw new RefillException(
					"could not " + what + " on " + this.node.get().address() + ": " + ex.getCause().getMessage(),
					ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new RefillException("could not " + what + " on " + this.node.get().address() + ": no answer in "
					+ this.wait.toMillis() + " ms", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RefillException("stopped while waiting to " + what, ex);
		}
	}

}
