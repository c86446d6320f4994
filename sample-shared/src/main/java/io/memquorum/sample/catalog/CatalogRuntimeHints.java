package io.memquorum.sample.catalog;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * The application's part of the native hints: the products cache stores {@link Product}
 * with JDK serialization (memquorum's default), and a native image serializes only the
 * classes registered for it. memquorum registers the JDK value types a product holds
 * ({@code java.time.Instant} here); the application's own cached classes are its own to
 * register.
 */
public class CatalogRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.serialization().registerType(Product.class);
	}

}
