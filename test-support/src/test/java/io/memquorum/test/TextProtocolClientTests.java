package io.memquorum.test;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TextProtocolClient} that need no server.
 */
class TextProtocolClientTests {

	@Test
	void percentDecodingTurnsMetadumpKeysBackIntoUtf8() {
		assertThat(TextProtocolClient.percentDecode("na%C3%AFve")).isEqualTo("naïve");
		assertThat(TextProtocolClient.percentDecode("a%2520b%2Fc")).isEqualTo("a%20b/c");
	}

	@Test
	void percentDecodingLeavesPlusSignsAndStrayPercentSignsAlone() {
		assertThat(TextProtocolClient.percentDecode("a+b")).isEqualTo("a+b");
		assertThat(TextProtocolClient.percentDecode("100%")).isEqualTo("100%");
		assertThat(TextProtocolClient.percentDecode("%zz%4")).isEqualTo("%zz%4");
	}

}
