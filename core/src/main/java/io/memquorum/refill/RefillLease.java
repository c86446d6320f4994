package io.memquorum.refill;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.memquorum.node.NodeConnection;
import io.memquorum.node.NodeIncarnation;
import io.memquorum.node.NodeConnection.StoredValue;
import io.memquorum.node.StoredItem;
import io.memquorum.signing.LineSigner;
import org.jspecify.annotations.Nullable;

/**
 * The right to refill one node incarnation, held by one application instance at a time.
 *
 * <p>
 * The lease is an item under {@code prefix + "#m:refill-lease"} stored on the node being
 * refilled, with a lifetime of {@code ttl}. Its value is one ASCII line,
 * {@code owner=<random id> node=<address> pid=<pid> started=<unix s> until=<unix s>},
 * signed like the completeness marker ({@link LineSigner#LEASE}) when signing keys are
 * set. It is taken with {@code add} (only one instance can), renewed with
 * compare-and-swap while copying, and deleted when the run ends. When the owner dies its
 * lease expires and another instance takes over; when the node restarts the lease dies
 * with it, so the owner's next renewal fails and it stops copying into an incarnation it
 * did not start on.
 *
 * <h2>Trust</h2> A lease found in place is honored only until one lease lifetime past its
 * {@code until} (the grace covers a renewal that reached memcached late), while that is
 * not further ahead than a lease is ever written, and only when it names this node and
 * this memcached process; with signing keys set, also only when its signature verifies.
 * Any other is taken over at once with compare-and-swap: a lease planted by someone
 * without the keys, or a genuine one copied from a peer, holds no instance off at all,
 * and a genuine one replayed with no expiry for at most two lease lifetimes. A lease
 * without those fields (written by an older memquorum) is honored until memcached expires
 * it, unless signing keys are set.
 *
 * <p>
 * Called from the refill thread only; each call waits for the node.
 */
final class RefillLease {

	/** The lease's name under the key prefix. */
	static final String NAME = "refill-lease";

	private static final int FLAGS = 0;

	private static final int MAX_VALUE_BYTES = 1024;

	private final Supplier<NodeConnection> node;

	private final String key;

	private final String owner;

	private final int ttlSeconds;

	private final Duration wait;

	private final @Nullable NodeIncarnation incarnation;

	private final @Nullable LineSigner signer;

	private final LongSupplier wallClock;

	/**
	 * The value this instance last stored, while it believes it holds the lease; renewed
	 * on the lease thread, released on the refill thread.
	 */
	private volatile byte @Nullable [] held;

	/**
	 * The value of a renewal sent whose answer did not come in time: memcached may have
	 * stored it all the same, and the lease is then still this instance's, under that
	 * value. Without it, the next renewal took its own lease for another's: a refill of
	 * 1,000,000 entries under load stopped after copying 743,745 of them, "lost the
	 * refill lease", with no other instance running.
	 */
	private volatile byte @Nullable [] sentUnanswered;

	/**
	 * A lease on one node, bound to no incarnation and unsigned.
	 * @param node the connection to the node being refilled, which also stores the lease;
	 * asked each time, since a reconnect replaces it
	 * @param key the lease's memcached key
	 * @param owner this instance's id
	 * @param ttl how long the lease outlives its last renewal; whole seconds, at least 1
	 * @param wait how long to wait for the node per command
	 */
	RefillLease(Supplier<NodeConnection> node, String key, String owner, Duration ttl, Duration wait) {
		this(node, key, owner, ttl, wait, null, null, System::currentTimeMillis);
	}

	/**
	 * A lease on one incarnation of one node.
	 * @param node the connection to the node being refilled, which also stores the lease;
	 * asked each time, since a reconnect replaces it
	 * @param key the lease's memcached key
	 * @param owner this instance's id
	 * @param ttl how long the lease outlives its last renewal; whole seconds, at least 1
	 * @param wait how long to wait for the node per command
	 * @param incarnation the node's process life the lease is for, or {@code null} when
	 * unknown
	 * @param signer signs and verifies the lease when signing keys are set, or
	 * {@code null}
	 * @param wallClock the time, epoch milliseconds
	 */
	RefillLease(Supplier<NodeConnection> node, String key, String owner, Duration ttl, Duration wait,
			@Nullable NodeIncarnation incarnation, @Nullable LineSigner signer, LongSupplier wallClock) {
		this.node = node;
		this.key = key;
		this.owner = owner;
		this.ttlSeconds = (int) Math.max(1, (ttl.toMillis() + 999) / 1000);
		this.wait = wait;
		this.incarnation = incarnation;
		this.signer = signer;
		this.wallClock = wallClock;
	}

	/**
	 * Take the lease if nobody holds it, or if the one in place is not to be honored.
	 * @return {@code true} when this instance holds it now
	 * @throws RefillException when the node did not answer
	 */
	boolean tryAcquire() {
		byte[] value = value();
		if (await(this.node.get().add(this.key, this.ttlSeconds, new StoredValue(FLAGS, value)), "take the lease")) {
			this.held = value;
			return true;
		}
		// Judged against the time the lease was asked for: a slow answer must not make
		// the holder's latest renewal look older than it is.
		long askedAtSeconds = nowSeconds();
		StoredItem found = await(this.node.get().gets(this.key), "read the lease");
		boolean taken;
		if (found == null) {
			// Expired or released in between.
			taken = await(this.node.get().add(this.key, this.ttlSeconds, new StoredValue(FLAGS, value)),
					"take the lease");
		}
		else if (honored(found.data(), askedAtSeconds)) {
			return false;
		}
		else {
			taken = await(this.node.get().cas(this.key, this.ttlSeconds, new StoredValue(FLAGS, value), found.cas()),
					"take over a lease that does not count");
		}
		if (taken) {
			this.held = value;
		}
		return taken;
	}

	/**
	 * Extend the lease by its lifetime, if this instance still holds it.
	 * @return {@code false} when the lease is gone (expired, or the node restarted) or
	 * another instance holds it
	 * @throws RefillException when the node did not answer
	 */
	boolean renew() {
		StoredItem item = await(this.node.get().gets(this.key), "read the lease");
		if (item == null || !isMine(item.data())) {
			return false;
		}
		byte[] value = value();
		this.sentUnanswered = value;
		boolean renewed = await(
				this.node.get().cas(this.key, this.ttlSeconds, new StoredValue(FLAGS, value), item.cas()),
				"renew the lease");
		this.sentUnanswered = null;
		if (renewed) {
			this.held = value;
		}
		return renewed;
	}

	/**
	 * Whether the lease's value on the node is this instance's: the one it holds, or a
	 * renewal it sent whose answer timed out but which memcached stored (adopted as
	 * held).
	 */
	private boolean isMine(byte[] found) {
		byte[] mine = this.held;
		if (mine == null) {
			return false;
		}
		if (Arrays.equals(found, mine)) {
			return true;
		}
		byte[] sent = this.sentUnanswered;
		if (sent != null && Arrays.equals(found, sent)) {
			this.held = sent;
			this.sentUnanswered = null;
			return true;
		}
		return false;
	}

	/**
	 * Give the lease up if this instance holds it, so another instance need not wait for
	 * it to expire. Failures are ignored: the lease then expires on its own.
	 */
	void release() {
		if (this.held == null) {
			return;
		}
		try {
			StoredItem item = await(this.node.get().gets(this.key), "read the lease");
			if (item != null && isMine(item.data())) {
				await(this.node.get().delete(this.key), "release the lease");
			}
		}
		catch (RefillException ex) {
			// expires on its own
		}
		finally {
			this.held = null;
			this.sentUnanswered = null;
		}
	}

	private byte[] value() {
		StringBuilder line = new StringBuilder("owner=").append(this.owner)
			.append(" node=")
			.append(this.node.get().address());
		if (this.incarnation != null) {
			line.append(" pid=")
				.append(this.incarnation.pid())
				.append(" started=")
				.append(this.incarnation.startedAtSeconds());
		}
		line.append(" until=").append(nowSeconds() + this.ttlSeconds);
		String text = line.toString();
		return ((this.signer != null) ? this.signer.sign(this.key, text) : text).getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * Whether a lease found on the node keeps this instance off it.
	 * @param value its bytes, untrusted
	 * @param now when it was asked for, Unix seconds
	 */
	private boolean honored(byte[] value, long now) {
		if (value.length > MAX_VALUE_BYTES) {
			return false;
		}
		String text = new String(value, StandardCharsets.US_ASCII);
		String line;
		if (this.signer != null) {
			line = this.signer.verified(this.key, text);
			if (line == null) {
				return false;
			}
		}
		else {
			int signature = text.lastIndexOf(" sig=");
			line = (signature >= 0) ? text.substring(0, signature) : text;
		}
		Map<String, String> fields = new HashMap<>();
		for (String field : line.split(" ")) {
			int equals = field.indexOf('=');
			if (equals > 0) {
				fields.put(field.substring(0, equals), field.substring(equals + 1));
			}
		}
		String until = fields.get("until");
		if (until == null) {
			// An older memquorum's lease: only its memcached lifetime bounds it.
			return this.signer == null;
		}
		long untilSeconds = parse(until);
		// One lifetime of grace past "until": a renewal queued behind the holder's own
		// copies reaches memcached late, with the "until" of the moment it was sent, and
		// the holder keeps writing until then (see LeaseKeeper).
		if (untilSeconds + this.ttlSeconds < now || untilSeconds > now + 2L * this.ttlSeconds) {
			return false;
		}
		if (!String.valueOf(this.node.get().address()).equals(fields.get("node"))) {
			return false;
		}
		if (this.incarnation != null) {
			NodeIncarnation named = new NodeIncarnation(parse(fields.get("pid")), parse(fields.get("started")));
			return named.isSameAs(this.incarnation);
		}
		return true;
	}

	private long nowSeconds() {
		return this.wallClock.getAsLong() / 1000;
	}

	private static long parse(@Nullable String number) {
		if (number == null || number.isEmpty() || number.length() > 18) {
			return -1;
		}
		try {
			return Long.parseLong(number);
		}
		catch (NumberFormatException ex) {
			return -1;
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
