package io.memquorum.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The misses that {@link MemquorumCache#retrieve(Object)} answered and whose caller is
 * still acting on them, by storage key, so that a later retrieve of the same key in this
 * JVM sees what the caller stored.
 *
 * <p>
 * Why: Spring's reactive {@code @Cacheable} reacts to a miss by calling the method and
 * putting what it returns. For a {@code Flux} it puts the list of all elements once the
 * source completes, which can be after the first subscriber took one element, cancelled
 * and returned; with an in-memory cache the whole chain runs inside the subscriber's own
 * call, so the next subscriber finds the list. Here the miss is answered on the cache's
 * executor when memcached replies, so the subscriber that took one element can return,
 * and retrieve the key again, while that executor thread is still on its way to the put.
 *
 * <p>
 * How: a miss is completed {@linkplain #answer while registered}: the caller's stages
 * that are already attached run on this thread inside that call (every synchronous source
 * does, a put included), and a retrieve of the key that starts meanwhile first waits for
 * the call to return, then reads. It waits at most {@link #WAIT_MILLIS}: a caller that
 * keeps the thread longer (a slow synchronous source) is not waited for further. A
 * retrieve made from inside the call itself (on that thread) does not wait for itself.
 * Stages the caller runs on another thread later are not covered, as with an in-memory
 * cache.
 */
final class MissesInHand {

	/** The longest a retrieve waits for the caller of an earlier miss. */
	static final long WAIT_MILLIS = 1000;

	private static final CompletableFuture<Void> NONE = CompletableFuture.completedFuture(null);

	private final ConcurrentMap<String, InHand> inHand = new ConcurrentHashMap<>();

	/**
	 * Completes once no caller of an earlier miss of this key is still acting on it on
	 * another thread (or after {@link #WAIT_MILLIS}).
	 * @param storageKey the storage key
	 * @return completes when a read of the key may start
	 */
	CompletableFuture<Void> settled(String storageKey) {
		InHand current = this.inHand.get(storageKey);
		if (current == null || current.thread() == Thread.currentThread()) {
			return NONE;
		}
		return current.done().copy().completeOnTimeout(null, WAIT_MILLIS, TimeUnit.MILLISECONDS);
	}

	/**
	 * Answer a miss: run {@code completion} (which completes the caller's future, running
	 * its attached stages on this thread) while registered as in hand.
	 * @param storageKey the storage key
	 * @param completion completes the future the caller holds
	 */
	void answer(String storageKey, Runnable completion) {
		InHand mine = new InHand(Thread.currentThread(), new CompletableFuture<>());
		this.inHand.put(storageKey, mine);
		try {
			completion.run();
		}
		finally {
			this.inHand.remove(storageKey, mine);
			mine.done().complete(null);
		}
	}

	private record InHand(Thread thread, CompletableFuture<Void> done) {
	}

}
