package io.memquorum.cache;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class AllowListJdkSerializerTests {

	@Test
	void javaTypesRoundTripWithAnEmptyAllowList() {
		AllowListJdkSerializer serializer = new AllowListJdkSerializer(List.of());
		Object value = new ArrayList<>(List.of("a", 1, LocalDate.of(2024, 5, 6), Map.of("k", new int[] { 3 })));
		Object read = serializer.deserialize(serializer.serialize(value));
		assertThat(read).isInstanceOf(ArrayList.class);
		assertThat(List.copyOf((List<?>) read).subList(0, 3))
			.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.list(Object.class))
			.containsExactly("a", 1, LocalDate.of(2024, 5, 6));
	}

	@Test
	void aClassOutsideTheAllowListIsRejectedBeforeItIsCreated() {
		AllowListJdkSerializer writer = new AllowListJdkSerializer(List.of("io.memquorum"));
		byte[] bytes = writer.serialize(new OldPrice(7));
		AllowListJdkSerializer reader = new AllowListJdkSerializer(List.of("com.example"));
		assertThatExceptionOfType(CacheValueSerializationException.class).isThrownBy(() -> reader.deserialize(bytes))
			.withMessageContaining("allow-list");
	}

	@Test
	void aPackageAllowsItsSubPackagesButNotPackagesThatOnlyShareItsPrefix() {
		AllowListJdkSerializer serializer = new AllowListJdkSerializer(List.of("io.memquorum", "com.example.**"));
		assertThat(serializer.isAllowed("io.memquorum.cache.Price")).isTrue();
		assertThat(serializer.isAllowed("com.example.shop.Item")).isTrue();
		assertThat(serializer.isAllowed("io.memquorumx.Evil")).isFalse();
		assertThat(serializer.isAllowed("javax.management.BadAttributeValueExpException")).isFalse();
	}

	@Test
	void aValueWhoseClassChangedCannotBeReadBack() {
		AllowListJdkSerializer serializer = new AllowListJdkSerializer(List.of("io.memquorum"));
		byte[] bytes = ChangedClass.asNewPrice(serializer.serialize(new OldPrice(7)));
		assertThatExceptionOfType(CacheValueSerializationException.class)
			.isThrownBy(() -> serializer.deserialize(bytes))
			.withMessageContaining("NewPrice");
	}

	@Test
	void aNameThatIsNotAPackageIsRejected() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> new AllowListJdkSerializer(List.of("com.example.")))
			.withMessage("'com.example.' is not a Java package name such as com.example.web");
	}

	/**
	 * Version 1 of a cached class.
	 */
	record OldPrice(long cents) implements Serializable {
	}

	/**
	 * Version 2 of the same class after a deploy: another field and another
	 * serialVersionUID. Its name has as many characters as {@link OldPrice}'s.
	 */
	static final class NewPrice implements Serializable {

		private static final long serialVersionUID = 2L;

		String currency = "EUR";

	}

	/**
	 * Simulates a deploy that changed a cached class: serialized {@link OldPrice} bytes
	 * are rewritten to name {@link NewPrice}, whose stream shape differs.
	 */
	static final class ChangedClass {

		static byte[] asNewPrice(byte[] oldPriceBytes) {
			byte[] from = OldPrice.class.getName().getBytes(StandardCharsets.UTF_8);
			byte[] to = NewPrice.class.getName().getBytes(StandardCharsets.UTF_8);
			byte[] result = oldPriceBytes.clone();
			for (int i = 0; i <= result.length - from.length; i++) {
				boolean match = true;
				for (int j = 0; j < from.length && match; j++) {
					match = result[i + j] == from[j];
				}
				if (match) {
					System.arraycopy(to, 0, result, i, to.length);
					return result;
				}
			}
			throw new IllegalStateException("Class name not found in the stream");
		}

	}

}
