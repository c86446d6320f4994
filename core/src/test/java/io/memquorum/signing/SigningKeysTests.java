package io.memquorum.signing;

import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SigningKeysTests {

	static final String FIRST = Base64.getEncoder().encodeToString(new byte[32]);

	static final String SECOND = Base64.getEncoder().encodeToString(filled(32, 7));

	@Test
	void hkdfMatchesTheFirstTestCaseOfRfc5869() {
		HexFormat hex = HexFormat.of();
		byte[] okm = SigningKeys.hkdf(hex.parseHex("000102030405060708090a0b0c"), filled(22, 0x0b),
				hex.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42);
		assertThat(hex.formatHex(okm))
			.isEqualTo("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
	}

	@Test
	void eachPurposeAndEachSecretGetsItsOwnKey() {
		SigningKeys keys = SigningKeys.of(List.of(FIRST, SECOND));
		assertThat(keys.derive(0, "a", 32)).isEqualTo(keys.derive(0, "a", 32))
			.isNotEqualTo(keys.derive(0, "b", 32))
			.isNotEqualTo(keys.derive(1, "a", 32));
	}

	@Test
	void secretsThatAreNotBase64OrTooShortAreRejectedByPositionWithoutShowingThem() {
		assertThatIllegalArgumentException().isThrownBy(() -> SigningKeys.of(List.of(FIRST, "not base64!")))
			.withMessage("Signing key [1] is not base64");
		String shortKey = Base64.getEncoder().encodeToString(filled(16, 1));
		assertThatIllegalArgumentException().isThrownBy(() -> SigningKeys.of(List.of(shortKey)))
			.withMessageStartingWith("Signing key [0] has 16 bytes; at least 32 are needed")
			.withMessageNotContaining(shortKey);
		assertThatIllegalArgumentException().isThrownBy(() -> SigningKeys.of(List.of()))
			.withMessage("At least one signing key is needed");
		assertThat(SigningKeys.of(List.of(FIRST)).toString()).doesNotContain(FIRST);
	}

	@Test
	void urlSafeBase64IsAccepted() {
		String urlSafe = Base64.getUrlEncoder().encodeToString(filled(32, 0xfb));
		assertThat(urlSafe).containsAnyOf("-", "_");
		assertThat(SigningKeys.of(List.of(urlSafe)).size()).isEqualTo(1);
	}

	static byte[] filled(int length, int value) {
		byte[] bytes = new byte[length];
		java.util.Arrays.fill(bytes, (byte) value);
		return bytes;
	}

}
