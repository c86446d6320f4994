package io.memquorum.session;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JdkSessionAttributeSerializerTests {

	@Test
	void javaTypesRoundTripWithTheDefaultAllowList() {
		JdkSessionAttributeSerializer serializer = new JdkSessionAttributeSerializer();
		Object value = new ArrayList<>(List.of("a", 1, Map.of("k", new int[] { 1, 2 })));
		Object read = serializer.deserialize(serializer.serialize(value));
		assertThat(read).usingRecursiveComparison().isEqualTo(value);
	}

	@Test
	void aClassOutsideTheAllowedPackagesIsRejectedBeforeItIsBuilt() {
		JdkSessionAttributeSerializer serializer = new JdkSessionAttributeSerializer();
		byte[] bytes = serializer.serialize(new Gadget("x"));
		assertThatThrownBy(() -> serializer.deserialize(bytes)).isInstanceOf(SessionSerializationException.class)
			.hasMessageContaining("not allowed");
	}

	@Test
	void anArrayOfAClassOutsideTheAllowedPackagesIsRejected() {
		JdkSessionAttributeSerializer serializer = new JdkSessionAttributeSerializer();
		byte[] bytes = serializer.serialize(new Gadget[] { new Gadget("x") });
		assertThatThrownBy(() -> serializer.deserialize(bytes)).isInstanceOf(SessionSerializationException.class);
	}

	@Test
	void aConfiguredPackageAllowsItsClassesAndSubPackages() {
		JdkSessionAttributeSerializer serializer = new JdkSessionAttributeSerializer(List.of("io.memquorum"), null);
		Object read = serializer.deserialize(serializer.serialize(List.of(new Gadget("x"))));
		assertThat(read).isEqualTo(List.of(new Gadget("x")));
		assertThat(serializer.isAllowed("io.memquorumevil.Gadget")).isFalse();
		assertThat(serializer.isAllowed("io.memquorum.session.Gadget")).isTrue();
	}

	@Test
	void aPackageWildcardIsAccepted() {
		assertThat(new JdkSessionAttributeSerializer(List.of("com.example.*"), null).getAllowedPackages())
			.contains("com.example");
	}

	@Test
	void anAllowedPackageThatIsNotAPackageNameIsRejectedWithTheName() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new JdkSessionAttributeSerializer(List.of("com.example;evil"), null))
			.withMessageContaining("'com.example;evil'");
	}

	@Test
	void corruptBytesRaiseASerializationException() {
		JdkSessionAttributeSerializer serializer = new JdkSessionAttributeSerializer();
		assertThatThrownBy(() -> serializer.deserialize(new byte[] { 1, 2, 3 }))
			.isInstanceOf(SessionSerializationException.class);
	}

	@Test
	void aValueThatIsNotSerializableFailsWithItsType() {
		JdkSessionAttributeSerializer serializer = new JdkSessionAttributeSerializer();
		assertThatThrownBy(() -> serializer.serialize(new Object())).isInstanceOf(SessionSerializationException.class)
			.hasMessageContaining("java.lang.Object");
	}

	record Gadget(String name) implements Serializable {

	}

}
