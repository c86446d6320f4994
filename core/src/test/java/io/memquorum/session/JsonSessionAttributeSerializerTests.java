package io.memquorum.session;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.User;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class JsonSessionAttributeSerializerTests {

	private final JsonSessionAttributeSerializer serializer = new JsonSessionAttributeSerializer(
			List.of("io.memquorum.session"), null);

	@Test
	void aSpringSecurityContextRoundTripsThroughSpringSecuritysJacksonSupport() {
		User user = new User("alice", "", AuthorityUtils.createAuthorityList("ROLE_USER", "ROLE_ADMIN"));
		SecurityContext context = new SecurityContextImpl(
				UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities()));
		byte[] bytes = this.serializer.serialize(context);
		assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("alice").contains("ROLE_ADMIN");
		SecurityContext read = (SecurityContext) this.serializer.deserialize(bytes);
		assertThat(read.getAuthentication().getName()).isEqualTo("alice");
		assertThat(read.getAuthentication().isAuthenticated()).isTrue();
		assertThat(AuthorityUtils.authorityListToSet(read.getAuthentication().getAuthorities()))
			.containsExactlyInAnyOrder("ROLE_USER", "ROLE_ADMIN");
	}

	@Test
	void applicationValuesOfAllowedPackagesRoundTrip() {
		Cart cart = new Cart("c-1", new ArrayList<>(List.of("apple", "pear")));
		assertThat(this.serializer.deserialize(this.serializer.serialize(cart))).isEqualTo(cart);
		assertThat(this.serializer.deserialize(this.serializer.serialize(12))).isEqualTo(12);
	}

	@Test
	void aClassOutsideTheAllowListIsRejectedByName() {
		JsonSessionAttributeSerializer strict = new JsonSessionAttributeSerializer();
		byte[] bytes = this.serializer.serialize(new Cart("c-1", List.of()));
		assertThatExceptionOfType(SessionSerializationException.class).isThrownBy(() -> strict.deserialize(bytes))
			.withMessageContaining("not allowed");
	}

	record Cart(String id, List<String> items) {
	}

}
