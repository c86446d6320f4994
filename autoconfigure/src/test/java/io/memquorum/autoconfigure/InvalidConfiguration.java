package io.memquorum.autoconfigure;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.ApplicationContextAssertProvider;
import org.springframework.boot.test.context.runner.ContextConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared pieces of the auto-configuration tests.
 */
public final class InvalidConfiguration {

	/** Three nodes nobody listens on: the engine starts and retries them quietly. */
	public static final String UNREACHABLE = "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3";

	private InvalidConfiguration() {
	}

	/**
	 * Asserts that the context (plain or web) failed on one property, for a reason.
	 * @param property the property name
	 * @param reason part of the expected reason
	 * @param <C> the kind of context
	 * @return the assertion
	 */
	public static <C extends ApplicationContextAssertProvider<?>> ContextConsumer<C> failsWith(String property,
			String reason) {
		return (context) -> assertThat(context).getFailure()
			.rootCause()
			.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (ex) -> {
				assertThat(ex.getName()).isEqualTo(property);
				assertThat(ex.getReason()).contains(reason);
			});
	}

}
