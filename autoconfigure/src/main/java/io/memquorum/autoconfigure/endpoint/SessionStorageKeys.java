package io.memquorum.autoconfigure.endpoint;

import io.memquorum.session.ReactiveReplicatedSessionRepository;
import io.memquorum.session.ReplicatedSessionRepository;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.util.ClassUtils;

/**
 * The storage key of a session id, from the application's
 * {@link ReplicatedSessionRepository}, or the one under its
 * {@link ReactiveReplicatedSessionRepository} in a WebFlux application; apart, so that
 * the endpoint loads without Spring Session on the class path.
 */
final class SessionStorageKeys {

	static final boolean PRESENT = ClassUtils.isPresent("org.springframework.session.Session",
			SessionStorageKeys.class.getClassLoader());

	private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Mono",
			SessionStorageKeys.class.getClassLoader());

	private SessionStorageKeys() {
	}

	/**
	 * The key a session is stored under (the SHA-256 of its id under the repository's
	 * prefix).
	 * @param beans where the repository is
	 * @param id the session id
	 * @return the storage key, or {@code null} when there is no memquorum session store
	 */
	static @Nullable String of(BeanFactory beans, String id) {
		ReplicatedSessionRepository repository = beans.getBeanProvider(ReplicatedSessionRepository.class)
			.getIfAvailable();
		if (repository == null && REACTOR_PRESENT) {
			repository = Reactive.store(beans);
		}
		return (repository != null) ? repository.storageKey(id) : null;
	}

	/**
	 * Apart, so that a servlet application without Reactor never loads the reactive
	 * repository.
	 */
	private static final class Reactive {

		static @Nullable ReplicatedSessionRepository store(BeanFactory beans) {
			ReactiveReplicatedSessionRepository reactive = beans
				.getBeanProvider(ReactiveReplicatedSessionRepository.class)
				.getIfAvailable();
			return (reactive != null) ? reactive.getStore() : null;
		}

	}

}
