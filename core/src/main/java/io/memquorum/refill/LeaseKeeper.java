package io.memquorum.refill;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.memquorum.node.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a taken {@link RefillLease} alive for as long as its run lasts, on a thread of
 * its own, so that neither a listing that blocks on a peer's socket nor a slow batch
 * delays a renewal; and tells the run when it may no longer write.
 *
 * <h2>Once</h2> Two instances never refill the same node at the same time. The lease is
 * renewed every third of its TTL. The run may write only while the lease is known held:
 * until the TTL, less the second memcached may cut off an item's lifetime, has passed
 * since the last renewal was sent. Past that point another instance may have taken the
 * expired lease, so the run stops before its next batch ({@link #check()}) even when the
 * renewals only timed out; a renewal that finds the lease gone or taken stops it too.
 *
 * <p>
 * Renewals run on the refill's lease thread; {@link #check()} is called by the refill
 * thread and reads volatile fields only, so it costs nothing in the copy loop.
 */
final class LeaseKeeper implements AutoCloseable {

	/** memcached counts lifetimes in whole seconds: an item may live this much less. */
	static final long MEMCACHED_CLOCK_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final RefillLease lease;

	private final NodeAddress node;

	private final long ttlNanos;

	private final LongSupplier nanoClock;

	private final ScheduledFuture<?> renewals;

	private volatile long heldUntilNanos;

	private volatile boolean lost;

	private volatile @Nullable String renewalProblem;

	/**
	 * Start keeping a lease this instance just took.
	 * @param lease the lease, taken at {@code takenAtNanos}
	 * @param node the node it is for, for messages
	 * @param ttl its TTL, at least 2 s
	 * @param takenAtNanos when the command that took it was sent
	 * @param timer the thread that renews it
	 * @param nanoClock {@link System#nanoTime()} outside tests
	 */
	LeaseKeeper(RefillLease lease, NodeAddress node, Duration ttl, long takenAtNanos, ScheduledExecutorService timer,
			LongSupplier nanoClock) {
		this.lease = lease;
		this.node = node;
		this.ttlNanos = ttl.toNanos();
		this.nanoClock = nanoClock;
		this.heldUntilNanos = takenAtNanos + this.ttlNanos - MEMCACHED_CLOCK_NANOS;
		long every = Math.max(1, ttl.toMillis() / 3);
		this.renewals = timer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
	}

	/**
	 * Renew the lease. Synchronized: two renewals at once would each read the lease and
	 * race with compare-and-swap, and the loser would take the lease for lost.
	 * @return whether this renewal extended the lease
	 */
	private synchronized boolean renew() {
		if (this.lost) {
			return false;
		}
		long sent = this.nanoClock.getAsLong();
		try {
			if (this.lease.renew()) {
				this.heldUntilNanos = sent + this.ttlNanos - MEMCACHED_CLOCK_NANOS;
				this.renewalProblem = null;
				return true;
			}
			this.lost = true;
		}
		catch (RefillException ex) {
			// The lease outlives a few failed renewals; check() stops the run if they
			// persist until it may have expired.
			this.renewalProblem = ex.getMessage();
		}
		catch (RuntimeException ex) {
			this.renewalProblem = String.valueOf(ex);
		}
		return false;
	}

	/**
	 * Whether the run may go on writing to the node.
	 * @throws RefillException when the lease is lost, or may have expired
	 */
	void check() {
		if (this.lost) {
			throw new RefillException("lost the refill lease of " + this.node
					+ " (the node restarted, or the lease expired and another instance took over)");
		}
		if (this.nanoClock.getAsLong() - this.heldUntilNanos > 0) {
			throw new RefillException("could not renew the refill lease of " + this.node + " in time"
					+ ((this.renewalProblem != null) ? ": " + this.renewalProblem : ""));
		}
	}

	/**
	 * Renew once more, now: before the marker is written, which must happen on the
	 * incarnation the run started on (a restart takes the lease with it).
	 * @return whether this renewal extended the lease; {@code false} also when the node
	 * did not answer
	 */
	boolean renewNow() {
		return renew();
	}

	/** Stop renewing; the caller releases the lease. */
	@Override
	public void close() {
		this.renewals.cancel(false);
	}

}
