package io.memquorum.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class KeyEncoderTests {

	private final KeyEncoder encoder = new KeyEncoder("app:");

	@Test
	void printableAsciiKeyKeepsItsReadableFormWithThePrefix() {
		assertThat(this.encoder.encode("user:42")).isEqualTo("app:user:42");
	}

	@Test
	void keysWithSpacesControlCharactersOrUnicodeAreHashedDeterministically() {
		for (String key : new String[] { "with space", "tab\there", "new\nline", "caf\u00e9", "\u0000" }) {
			String encoded = this.encoder.encode(key);
			assertThat(encoded).startsWith("app:#h:").hasSize(4 + 3 + 43).matches("[\\x21-\\x7e]+");
			assertThat(new KeyEncoder("app:").encode(key)).isEqualTo(encoded);
		}
	}

	@Test
	void keysThatWouldExceedTheLimitWithThePrefixAreHashed() {
		String fits = "k".repeat(KeyEncoder.MAX_KEY_LENGTH - 4);
		assertThat(this.encoder.encode(fits)).isEqualTo("app:" + fits);
		assertThat(this.encoder.encode(fits + "k")).startsWith("app:#h:");
	}

	@Test
	void readableKeyThatLooksHashedIsHashedSoItCannotCollide() {
		String hashed = this.encoder.encode("with space");
		String lookalike = hashed.substring("app:".length());
		assertThat(this.encoder.encode(lookalike)).isNotEqualTo(hashed);
	}

	@Test
	void noApplicationKeyEncodesToAnInternalKey() {
		String marker = this.encoder.internalKey("complete");
		assertThat(marker).isEqualTo("app:#m:complete");
		assertThat(this.encoder.isInternal(marker)).isTrue();
		String lookalike = this.encoder.encode("#m:complete");
		assertThat(lookalike).startsWith("app:#h:").isNotEqualTo(marker);
		assertThat(this.encoder.isInternal(lookalike)).isFalse();
		assertThat(this.encoder.isInternal(this.encoder.encode("user:42"))).isFalse();
	}

	@Test
	void emptyKeyIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.encoder.encode(""))
			.withMessage("Key must not be empty");
	}

	@Test
	void prefixWithSpaceIsRejectedWithItsPosition() {
		assertThatIllegalArgumentException().isThrownBy(() -> new KeyEncoder("my app"))
			.withMessageContaining("'my app'")
			.withMessageContaining("index 2");
	}

}
