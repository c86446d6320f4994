package io.memquorum.autoconfigure.session;

import io.memquorum.session.ReplicatedSessionRepository;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The {@code memquorum.session.*} meters, read from a session store's counters; the
 * reactive repository's counters are those of the store it wraps.
 */
final class SessionMeters {

	private SessionMeters() {
	}

	static MeterBinder binder(ReplicatedSessionRepository repository) {
		return (registry) -> {
			FunctionCounter
				.builder("memquorum.session.unreadable", repository,
						ReplicatedSessionRepository::getUnreadableSessionCount)
				.description("Sessions found but unreadable, read as absent")
				.register(registry);
			FunctionCounter
				.builder("memquorum.session.attributes.unreadable", repository,
						ReplicatedSessionRepository::getUnreadableAttributeCount)
				.description("Session attributes that could not be deserialized when read, read as null")
				.register(registry);
			FunctionCounter
				.builder("memquorum.session.unreachable", repository,
						ReplicatedSessionRepository::getUnreachableReadCount)
				.description("Session lookups that no memcached replica could answer")
				.register(registry);
			FunctionCounter
				.builder("memquorum.session.access.deferred", repository,
						ReplicatedSessionRepository::getDeferredAccessUpdateCount)
				.description("Last-access updates skipped while the write quorum was lost")
				.register(registry);
			FunctionCounter
				.builder("memquorum.session.resurrections.prevented", repository,
						ReplicatedSessionRepository::getResurrectionsPreventedCount)
				.description("Saves that found their session deleted and wrote nothing")
				.register(registry);
		};
	}

}
