package io.memquorum.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.serialization.HostileStreams;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.SigningKeys;
import io.memquorum.test.MemcachedClusterExtension;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.User;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Fault: hostile bytes. A session whose attribute is a crafted JDK serialization stream
 * is stored in real memcached, as someone who can write to memcached could store it; what
 * must hold is that the crafted attribute reads as absent within seconds, is counted, and
 * that the rest of the session stays.
 */
class HostileSessionAttributeTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final List<ReplicatedMemcached> engines = new ArrayList<>();

	@AfterEach
	void close() {
		this.engines.forEach(ReplicatedMemcached::close);
	}

	private ReplicatedSessionRepository repository(SessionAttributeSerializer serializer) {
		return repository(serializer, null);
	}

	private ReplicatedSessionRepository repository(SessionAttributeSerializer serializer, @Nullable String signingKey) {
		ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofSeconds(1))
			.signer((signingKey != null) ? new EntrySigner(SigningKeys.of(List.of(signingKey))) : null)
			.build();
		this.engines.add(engine);
		ReplicatedSessionRepository repository = new ReplicatedSessionRepository(engine);
		repository.setSerializer(serializer);
		return repository;
	}

	static Stream<Arguments> hostileStreams() {
		return Stream.of(Arguments.of("long[0x7fffffff]", (Supplier<byte[]>) HostileStreams::hugeLongArray),
				Arguments.of("nested hash sets (SerialDOS)", (Supplier<byte[]>) HostileStreams::nestedHashSets),
				Arguments.of("RemoteObjectInvocationHandler proxy",
						(Supplier<byte[]>) HostileStreams::remoteObjectInvocationHandler));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("hostileStreams")
	void aCraftedAttributeReadsAsAbsentAndTheRestOfTheSessionStays(String shape, Supplier<byte[]> stream) {
		byte[] crafted = stream.get();
		ReplicatedSessionRepository attacker = repository(new CraftedBytes(crafted));
		ReplicatedSession planted = attacker.createSession();
		planted.setAttribute("cart", "anything");
		attacker.save(planted);
		ReplicatedSessionRepository application = repository(new JdkSessionAttributeSerializer());
		// The attacker's serializer wrote every attribute crafted; give the session one
		// genuine attribute too.
		ReplicatedSession genuine = application.findById(planted.getId());
		genuine.setAttribute("locale", "en-GB");
		application.save(genuine);

		ReplicatedSession found = application.findById(planted.getId());
		Object cart = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> found.getAttribute("cart"));

		assertThat(cart).isNull();
		assertThat(application.getUnreadableAttributeCount()).isOne();
		assertThat(found.<String>getAttribute("locale")).isEqualTo("en-GB");
		assertThat(found.getAttributeNames()).containsExactly("locale");
	}

	@Test
	void withSigningKeysASessionWrittenWithoutTheKeyIsNotAcceptedSoNobodySignsInAsSomebodyElse() {
		String appKey = Base64.getEncoder().encodeToString(new byte[32]);
		String attackerKey = Base64.getEncoder().encodeToString("an attacker's own key, 32 bytes!".getBytes());
		ReplicatedSessionRepository application = repository(new JdkSessionAttributeSerializer(), appKey);
		for (String forgingKey : new String[] { null, attackerKey }) {
			ReplicatedSessionRepository attacker = repository(new JdkSessionAttributeSerializer(), forgingKey);
			ReplicatedSession forged = attacker.createSession();
			User admin = new User("admin", "", AuthorityUtils.createAuthorityList("ROLE_ADMIN"));
			forged.setAttribute("SPRING_SECURITY_CONTEXT", new SecurityContextImpl(
					UsernamePasswordAuthenticationToken.authenticated(admin, null, admin.getAuthorities())));
			attacker.save(forged);
			assertThat(application.findById(forged.getId())).as("forged with key %s", forgingKey).isNull();
		}
		ReplicatedSession genuine = application.createSession();
		genuine.setAttribute("cart", "apple");
		application.save(genuine);
		assertThat(repository(new JdkSessionAttributeSerializer(), appKey).findById(genuine.getId())).isNotNull();
	}

	/**
	 * Stores the crafted stream whatever the attribute is.
	 */
	private record CraftedBytes(byte[] stream) implements SessionAttributeSerializer {

		@Override
		public byte[] serialize(Object value) {
			return this.stream.clone();
		}

		@Override
		public Object deserialize(byte[] bytes) {
			throw new UnsupportedOperationException("writes only");
		}

	}

}
