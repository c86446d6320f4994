package io.memquorum.node;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.util.ClassUtils;

/**
 * What xmemcached 2.4.9 reaches by reflection on the paths memquorum uses, so that an
 * ahead-of-time compiled (native) application behaves as it does on the JVM. Its
 * networking layer (yanf4j's {@code SystemUtils}) picks its parts by name, each with a
 * fallback when the lookup fails:
 * <ul>
 * <li>on Linux, {@code openSelector()} loads {@code sun.nio.ch.EPollSelectorProvider} and
 * calls its public static {@code provider()}; without the hint it falls back to
 * {@code Selector.open()};</li>
 * <li>{@code createTransferQueue()} instantiates
 * {@code java.util.concurrent.LinkedTransferQueue} through its public constructor;
 * without the hint it falls back to a copy of that class bundled with yanf4j.</li>
 * </ul>
 * xmemcached reads no resource on these paths ({@code ResourcesUtils} has no caller), and
 * memquorum sends values through its own byte transcoder, never xmemcached's serializing
 * ones.
 */
class XmemcachedRuntimeHints implements RuntimeHintsRegistrar {

	static final String EPOLL_SELECTOR_PROVIDER = "sun.nio.ch.EPollSelectorProvider";

	static final String TRANSFER_QUEUE = "java.util.concurrent.LinkedTransferQueue";

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.reflection().registerType(TypeReference.of(TRANSFER_QUEUE), MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS);
		// Only on a JDK that has it (Linux): a native image is built for one platform.
		if (ClassUtils.isPresent(EPOLL_SELECTOR_PROVIDER, classLoader)) {
			hints.reflection()
				.registerType(TypeReference.of(EPOLL_SELECTOR_PROVIDER), MemberCategory.INVOKE_PUBLIC_METHODS);
		}
	}

}
