package io.memquorum.signing;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IdCipherTests {

	private final IdCipher cipher = new IdCipher(SigningKeys.of(List.of(SigningKeysTests.FIRST)));

	@Test
	void anIdRoundTripsAndItsCiphertextDoesNotShowIt() {
		String id = "6f1c2a0e-5d1b-4c43-9a8f-0e0c8c3b7d11";
		String sealed = this.cipher.encrypt(id, "index:alice");
		assertThat(sealed).doesNotContain(id).doesNotContain("6f1c2a0e").matches("[A-Za-z0-9_-]+");
		assertThat(this.cipher.decrypt(sealed, "index:alice")).isEqualTo(id);
	}

	@Test
	void encryptingTheSameIdTwiceGivesDifferentCiphertexts() {
		assertThat(this.cipher.encrypt("id", "c")).isNotEqualTo(this.cipher.encrypt("id", "c"));
	}

	@Test
	void anotherContextAnAlteredCiphertextOrAnotherKeyDecryptsToNothing() {
		String sealed = this.cipher.encrypt("id", "index:alice");
		assertThat(this.cipher.decrypt(sealed, "index:mallory")).isNull();
		char last = sealed.charAt(sealed.length() - 2);
		String altered = sealed.substring(0, sealed.length() - 2) + (last == 'A' ? 'B' : 'A')
				+ sealed.charAt(sealed.length() - 1);
		assertThat(this.cipher.decrypt(altered, "index:alice")).isNull();
		assertThat(this.cipher.decrypt("%%%", "index:alice")).isNull();
		IdCipher other = new IdCipher(SigningKeys.of(List.of(SigningKeysTests.SECOND)));
		assertThat(other.decrypt(sealed, "index:alice")).isNull();
	}

	@Test
	void duringARotationIdsEncryptedWithTheOldKeyStillDecrypt() {
		String sealed = this.cipher.encrypt("id", "c");
		IdCipher rotating = new IdCipher(SigningKeys.of(List.of(SigningKeysTests.SECOND, SigningKeysTests.FIRST)));
		assertThat(rotating.decrypt(sealed, "c")).isEqualTo("id");
		assertThat(this.cipher.decrypt(rotating.encrypt("id", "c"), "c")).isNull();
	}

}
