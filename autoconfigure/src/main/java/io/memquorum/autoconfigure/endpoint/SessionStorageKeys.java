package io.memquorum.autoconfigure.endpoint;

import io.memquorum.session.ReplicatedSessionRepository;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.util.ClassUtils;

/**
 * The storage key of a session id, from the application's
 * {@link ReplicatedSessionRepository}; apart, so that the endpoint loads without Spring
 * Session on the class path.
 */
final class SessionStorageKeys {

	static final boolean PRESENT = ClassUtils.isPresent("org.springframework.session.Session",
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
		return (repository != null) ? repository.storageKey(id) : null;
	}

}
