package io.memquorum.cache;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class JsonCacheValueSerializerTests {

	private final JsonCacheValueSerializer serializer = new JsonCacheValueSerializer(List.of("io.memquorum.cache"),
			null);

	@Test
	void recordsCollectionsAndJdkValuesRoundTrip() {
		Book book = new Book("isbn-1", "Dune", new BigDecimal("9.99"), Instant.ofEpochSecond(1_700_000_000),
				List.of("sf", "classic"));
		assertThat(roundTrip(book)).isEqualTo(book);
		assertThat(roundTrip(42L)).isEqualTo(42L);
		assertThat(roundTrip("text")).isEqualTo("text");
		List<Object> mixed = new ArrayList<>(List.of(book, 7L, "x"));
		assertThat(roundTrip(mixed)).isEqualTo(mixed);
		Map<String, Object> map = new LinkedHashMap<>(Map.of("book", book));
		assertThat(roundTrip(map)).isEqualTo(map);
	}

	@Test
	void theStoredBytesAreJsonAPersonCanRead() {
		String json = new String(
				this.serializer.serialize(new Book("isbn-1", "Dune", BigDecimal.ONE, Instant.EPOCH, List.of())),
				StandardCharsets.UTF_8);
		assertThat(json).startsWith("{\"type\":\"io.memquorum.cache.JsonCacheValueSerializerTests$Book\",\"value\":{")
			.contains("\"title\":\"Dune\"");
	}

	@Test
	void aRootClassOutsideTheAllowListIsRejectedByName() {
		byte[] json = "{\"type\":\"java.rmi.server.RemoteObjectInvocationHandler\",\"value\":{}}"
			.getBytes(StandardCharsets.UTF_8);
		assertThatExceptionOfType(CacheValueSerializationException.class)
			.isThrownBy(() -> this.serializer.deserialize(json))
			.withMessageContaining("allow-list")
			.withMessageContaining("java.rmi.server.RemoteObjectInvocationHandler");
	}

	@Test
	void aNestedClassOutsideTheAllowListIsRejected() {
		byte[] json = ("{\"type\":\"java.util.ArrayList\",\"value\":[\"java.util.ArrayList\",[[\"javax.management"
				+ ".BadAttributeValueExpException\",{}]]]}")
			.getBytes(StandardCharsets.UTF_8);
		assertThatExceptionOfType(CacheValueSerializationException.class)
			.isThrownBy(() -> this.serializer.deserialize(json))
			.withMessageContaining("javax.management.BadAttributeValueExpException");
	}

	@Test
	void aValueWhoseClassChangedShapeCannotBeReadBack() {
		String written = new String(
				this.serializer.serialize(new Book("isbn-1", "Dune", BigDecimal.ONE, Instant.EPOCH, List.of())),
				StandardCharsets.UTF_8);
		// Written before a component was removed from the record: one property too many.
		byte[] removedComponent = written.replace("\"title\":\"Dune\"", "\"title\":\"Dune\",\"author\":\"x\"")
			.getBytes(StandardCharsets.UTF_8);
		assertThatExceptionOfType(CacheValueSerializationException.class)
			.isThrownBy(() -> this.serializer.deserialize(removedComponent))
			.withMessageContaining("author");
		// Written before a component was added: one constructor parameter without a
		// value.
		byte[] addedComponent = written.replace("\"isbn\":\"isbn-1\",", "").getBytes(StandardCharsets.UTF_8);
		assertThat(new String(addedComponent, StandardCharsets.UTF_8)).doesNotContain("isbn-1");
		assertThatExceptionOfType(CacheValueSerializationException.class)
			.isThrownBy(() -> this.serializer.deserialize(addedComponent))
			.withMessageContaining("isbn");
	}

	@Test
	void deeplyNestedJsonIsRejectedWhileParsing() {
		String deep = "[".repeat(10_000) + "]".repeat(10_000);
		byte[] json = ("{\"type\":\"java.util.ArrayList\",\"value\":" + deep + "}").getBytes(StandardCharsets.UTF_8);
		assertThatExceptionOfType(CacheValueSerializationException.class)
			.isThrownBy(() -> this.serializer.deserialize(json))
			.withMessageContaining("depth");
	}

	@Test
	void bytesThatAreNotJsonOfThisFormatAreRejected() {
		assertThatExceptionOfType(CacheValueSerializationException.class)
			.isThrownBy(() -> this.serializer.deserialize(new byte[] { (byte) 0xac, (byte) 0xed, 0, 5 }));
		assertThatExceptionOfType(CacheValueSerializationException.class)
			.isThrownBy(() -> this.serializer.deserialize("{\"title\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
	}

	private Object roundTrip(Object value) {
		return this.serializer.deserialize(this.serializer.serialize(value));
	}

	record Book(String isbn, String title, BigDecimal price, Instant published, List<String> tags) {
	}

}
