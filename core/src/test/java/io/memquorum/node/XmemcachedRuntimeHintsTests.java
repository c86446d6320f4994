package io.memquorum.node;

import java.util.concurrent.LinkedTransferQueue;

import com.google.code.yanf4j.util.SystemUtils;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classes xmemcached's networking layer loads by name are registered, and they are
 * the ones it takes on the JVM (so the hints keep a native application on the same path).
 */
class XmemcachedRuntimeHintsTests {

	private final RuntimeHints hints = new RuntimeHints();

	XmemcachedRuntimeHintsTests() {
		new XmemcachedRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
	}

	@Test
	void theTransferQueueXmemcachedInstantiatesByNameIsRegistered() throws Exception {
		assertThat(SystemUtils.createTransferQueue()).isInstanceOf(LinkedTransferQueue.class);
		assertThat(
				RuntimeHintsPredicates.reflection().onConstructorInvocation(LinkedTransferQueue.class.getConstructor()))
			.accepts(this.hints);
	}

	@Test
	void theEpollSelectorProviderXmemcachedLoadsByNameIsRegisteredWhereTheJdkHasIt() {
		boolean linuxJdk = org.springframework.util.ClassUtils.isPresent(XmemcachedRuntimeHints.EPOLL_SELECTOR_PROVIDER,
				getClass().getClassLoader());
		assertThat(RuntimeHintsPredicates.reflection()
			.onType(TypeReference.of(XmemcachedRuntimeHints.EPOLL_SELECTOR_PROVIDER))
			.withMemberCategory(MemberCategory.INVOKE_PUBLIC_METHODS)
			.test(this.hints)).isEqualTo(linuxJdk);
	}

}
