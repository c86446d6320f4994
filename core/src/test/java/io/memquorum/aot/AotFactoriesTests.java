package io.memquorum.aot;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring's ahead-of-time processing finds memquorum's hints through the core module's
 * {@code META-INF/spring/aot.factories}.
 */
class AotFactoriesTests {

	@Test
	void theCoreModulesRegistrarsAreListedInAotFactories() {
		assertThat(SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
			.load(RuntimeHintsRegistrar.class)).extracting((registrar) -> registrar.getClass().getName())
			.contains("io.memquorum.cache.CacheRuntimeHints", "io.memquorum.node.XmemcachedRuntimeHints",
					"io.memquorum.serialization.JdkValueTypesRuntimeHints");
	}

}
