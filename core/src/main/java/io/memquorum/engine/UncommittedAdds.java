package io.memquorum.engine;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The adds of this instance that are not known to have won: in flight, or lost and being
 * rolled back. Their values are on some replicas for a moment, and a copy made from one
 * of those replicas (refill, read repair, hint replay) would outlive the rollback: a copy
 * is newer than the tombstone the rollback puts back, so it would win every later
 * comparison and a lost add would show, or a deleted value come back. Copies of these
 * versions are declined.
 *
 * <p>
 * A lost add's version stays here for {@link #RETENTION} after its rollback, longer than
 * a copy read before the rollback takes to be written. Only this instance's adds are
 * known: another instance's refill that copies a value in the moment between that add and
 * its rollback is not caught (see the contract's "add" clause).
 */
final class UncommittedAdds {

	static final Duration RETENTION = Duration.ofSeconds(10);

	/** By memcached key and version; an entry is a key and a version, never more. */
	private final Set<Entry> entries = ConcurrentHashMap.newKeySet();

	private final ScheduledExecutorService maintenance;

	UncommittedAdds(ScheduledExecutorService maintenance) {
		this.maintenance = maintenance;
	}

	/** An add of {@code encoded} with this version is about to be sent. */
	void started(String encoded, long version) {
		this.entries.add(new Entry(encoded, version));
	}

	/** The add won: its value may be copied. */
	void won(String encoded, long version) {
		this.entries.remove(new Entry(encoded, version));
	}

	/** The add lost and its rollback is done or given up: forget it after a while. */
	void rolledBack(String encoded, long version) {
		Entry entry = new Entry(encoded, version);
		try {
			this.maintenance.schedule(() -> this.entries.remove(entry), RETENTION.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RuntimeException ex) {
			// The engine is closing: nothing copies any more.
			this.entries.remove(entry);
		}
	}

	/**
	 * Whether a copy of {@code envelope} under {@code encoded} must not be written.
	 * @param encoded the memcached key
	 * @param envelope what a copy would write
	 * @return true when it is the value of an add not known to have won
	 */
	boolean holds(String encoded, Envelope envelope) {
		return !this.entries.isEmpty() && this.entries.contains(new Entry(encoded, envelope.version()));
	}

	int size() {
		return this.entries.size();
	}

	private record Entry(String encoded, long version) {

	}

}
