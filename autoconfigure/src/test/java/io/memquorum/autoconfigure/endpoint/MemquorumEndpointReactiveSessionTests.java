package io.memquorum.autoconfigure.endpoint;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.session.ReactiveReplicatedSessionRepository;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /actuator/memquorum/keys?session=<id>} in a WebFlux application, whose
 * session store is a {@link ReactiveReplicatedSessionRepository}: the endpoint finds the
 * session's storage key through it (it answered "This application stores no sessions in
 * memquorum" when it looked only for the servlet repository).
 */
class MemquorumEndpointReactiveSessionTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(1);

	private static ReplicatedMemcached engine;

	@BeforeAll
	static void startEngine() {
		engine = ReplicatedMemcached.builder().servers(memcached.cluster().addresses()).build();
	}

	@AfterAll
	static void closeEngine() {
		engine.close();
	}

	@Test
	void aSessionOfTheReactiveStoreIsShownUnderItsStorageKey() {
		ReactiveReplicatedSessionRepository sessions = new ReactiveReplicatedSessionRepository(engine);
		DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
		beans.registerSingleton("sessionRepository", sessions);
		MemquorumEndpoint endpoint = new MemquorumEndpoint(engine, beans);
		KeyDescriptor view = endpoint.session("keys", "a-session-id");
		assertThat(view.storageKey()).isEqualTo(sessions.getStore().storageKey("a-session-id"));
	}

}
