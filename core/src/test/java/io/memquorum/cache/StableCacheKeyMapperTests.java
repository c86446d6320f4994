package io.memquorum.cache;

import java.time.LocalDate;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.cache.interceptor.SimpleKey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class StableCacheKeyMapperTests {

	private final StableCacheKeyMapper mapper = new StableCacheKeyMapper();

	@Test
	void aStringKeyIsUsedAsItIs() {
		assertThat(this.mapper.toStorageKey("book:42")).isEqualTo("book:42");
	}

	@Test
	void aStringStartingWithHashCannotCollideWithATypedKey() {
		assertThat(this.mapper.toStorageKey("#Integer(1)")).isNotEqualTo(this.mapper.toStorageKey(1));
	}

	@Test
	void numbersOfDifferentTypesAndTheirStringFormsMapToDifferentKeys() {
		assertThat(List.of(this.mapper.toStorageKey(1), this.mapper.toStorageKey(1L), this.mapper.toStorageKey("1")))
			.doesNotHaveDuplicates();
	}

	@Test
	void aSimpleKeyMapsToItsParametersInOrder() {
		assertThat(this.mapper.toStorageKey(new SimpleKey("isbn", 7, LocalDate.of(2024, 1, 2))))
			.isEqualTo("#SimpleKey[\"isbn\",Integer(7),LocalDate(2024-01-02)]");
		assertThat(this.mapper.toStorageKey(SimpleKey.EMPTY)).isEqualTo("#SimpleKey[]");
	}

	@Test
	void aRecordMapsToItsComponentsRecursively() {
		assertThat(this.mapper.toStorageKey(new BookKey("isbn \"x\"", Shelf.TOP, List.of(1, 2))))
			.isEqualTo("#io.memquorum.cache.StableCacheKeyMapperTests$BookKey[isbn=\"isbn \\\"x\\\"\","
					+ "shelf=io.memquorum.cache.StableCacheKeyMapperTests$Shelf.TOP,pages=[Integer(1),Integer(2)]]");
	}

	@Test
	void setsAndMapsMapToTheSameKeyWhateverTheirIterationOrder() {
		Set<String> one = new LinkedHashSet<>(List.of("b", "a", "c"));
		Set<String> other = new HashSet<>(List.of("c", "b", "a"));
		assertThat(this.mapper.toStorageKey(one)).isEqualTo(this.mapper.toStorageKey(other));
		Map<String, Integer> first = new LinkedHashMap<>();
		first.put("x", 1);
		first.put("y", 2);
		Map<String, Integer> second = new LinkedHashMap<>();
		second.put("y", 2);
		second.put("x", 1);
		assertThat(this.mapper.toStorageKey(first)).isEqualTo(this.mapper.toStorageKey(second));
	}

	@Test
	void arraysMapByContentNotIdentity() {
		assertThat(this.mapper.toStorageKey(new int[] { 1, 2 }))
			.isEqualTo(this.mapper.toStorageKey(new int[] { 1, 2 }));
	}

	@Test
	void aKeyWhoseClassHasOnlyIdentityToStringIsRejectedWithItsType() {
		assertThatExceptionOfType(UnmappableCacheKeyException.class)
			.isThrownBy(() -> this.mapper.toStorageKey(new Object()))
			.withMessageContaining("java.lang.Object")
			.withMessageContaining("CacheKeyMapper");
	}

	record BookKey(String isbn, Shelf shelf, List<Integer> pages) {
	}

	enum Shelf {

		TOP

	}

}
