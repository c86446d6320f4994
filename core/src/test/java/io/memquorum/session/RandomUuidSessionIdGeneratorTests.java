package io.memquorum.session;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Session ids keep the form of Spring Session's default generator: random (version 4,
 * IETF variant) UUIDs, all different.
 */
class RandomUuidSessionIdGeneratorTests {

	@Test
	void idsAreRandomVersion4UuidsInTheirCanonicalForm() {
		RandomUuidSessionIdGenerator generator = new RandomUuidSessionIdGenerator();
		Set<String> ids = new HashSet<>();
		for (int i = 0; i < 10_000; i++) {
			String id = generator.generate();
			UUID uuid = UUID.fromString(id);
			assertThat(uuid.toString()).isEqualTo(id);
			assertThat(uuid.version()).isEqualTo(4);
			assertThat(uuid.variant()).isEqualTo(2);
			ids.add(id);
		}
		assertThat(ids).hasSize(10_000);
	}

}
