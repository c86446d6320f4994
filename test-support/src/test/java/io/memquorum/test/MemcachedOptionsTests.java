package io.memquorum.test;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link MemcachedOptions}.
 */
class MemcachedOptionsTests {

	@Test
	void defaultsDescribeASmallLoopbackServerRunAsTheGivenUser() {
		assertThat(MemcachedOptions.defaults().commandLine(11311, "tester")).containsExactly("-u", "tester", "-l",
				"127.0.0.1", "-p", "11311", "-U", "0", "-m", "64", "-I", "1m", "-t", "2", "-c", "1024");
		assertThat(MemcachedOptions.defaults().protocolTimeout()).isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void withersReturnModifiedCopiesAndLeaveTheOriginalAlone() {
		MemcachedOptions defaults = MemcachedOptions.defaults();
		MemcachedOptions custom = defaults.withMemoryMegabytes(16)
			.withItemSizeLimit("2m")
			.withThreads(4)
			.withMaxConnections(10)
			.withProtocolTimeout(Duration.ofMillis(250))
			.withExtraArguments("-o", "no_lru_crawler")
			.withExtraArguments("-v");
		assertThat(custom.commandLine(1, "u")).containsExactly("-u", "u", "-l", "127.0.0.1", "-p", "1", "-U", "0", "-m",
				"16", "-I", "2m", "-t", "4", "-c", "10", "-o", "no_lru_crawler", "-v");
		assertThat(custom.protocolTimeout()).isEqualTo(Duration.ofMillis(250));
		assertThat(defaults).isEqualTo(MemcachedOptions.defaults());
		assertThat(defaults.extraArguments()).isEmpty();
		assertThat(custom).isNotEqualTo(defaults);
		assertThat(custom.withThreads(4)).isEqualTo(custom).hasSameHashCodeAs(custom);
	}

	@Test
	void nonsensicalValuesAreRejected() {
		MemcachedOptions defaults = MemcachedOptions.defaults();
		assertThatIllegalArgumentException().isThrownBy(() -> defaults.withMemoryMegabytes(0));
		assertThatIllegalArgumentException().isThrownBy(() -> defaults.withThreads(-1));
		assertThatIllegalArgumentException().isThrownBy(() -> defaults.withMaxConnections(0));
		assertThatIllegalArgumentException().isThrownBy(() -> defaults.withItemSizeLimit("2 m"));
		assertThatIllegalArgumentException().isThrownBy(() -> defaults.withProtocolTimeout(Duration.ZERO));
	}

}
