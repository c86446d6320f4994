package io.memquorum.cache;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The field {@link StableCacheKeyMapper} reads from Spring's {@link SimpleKey} is
 * registered, so a native application maps multi-argument keys as a JVM one does.
 */
class CacheRuntimeHintsTests {

	@Test
	void theSimpleKeyFieldTheKeyMapperReadsIsRegistered() {
		assertThat(ReflectionUtils.findField(SimpleKey.class, "params", Object[].class))
			.as("the field StableCacheKeyMapper reads")
			.isNotNull();
		RuntimeHints hints = new RuntimeHints();
		new CacheRuntimeHints().registerHints(hints, getClass().getClassLoader());
		assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(SimpleKey.class, "params")).accepts(hints);
	}

}
