package io.memquorum.sample.catalog;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cached product is registered for JDK serialization, which the products cache uses.
 */
class CatalogRuntimeHintsTests {

	@Test
	void theCachedProductIsRegisteredForSerialization() {
		RuntimeHints hints = new RuntimeHints();
		new CatalogRuntimeHints().registerHints(hints, getClass().getClassLoader());
		assertThat(RuntimeHintsPredicates.serialization().onType(Product.class)).accepts(hints);
	}

}
