package io.memquorum.signing;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EntrySignerTests {

	private final byte[] entry = "an entry".getBytes(StandardCharsets.UTF_8);

	@Test
	void aSignatureVerifiesForTheSameKeyAndBytesOnly() {
		EntrySigner signer = new EntrySigner(SigningKeys.of(List.of(SigningKeysTests.FIRST)));
		byte[] signature = signer.sign("k", this.entry, 0, this.entry.length);
		assertThat(signature).hasSize(EntrySigner.SIGNATURE_SIZE);
		assertThat(signer.verify("k", this.entry, 0, this.entry.length, signature)).isTrue();
		assertThat(signer.verify("other", this.entry, 0, this.entry.length, signature)).as("moved to another key")
			.isFalse();
		byte[] altered = this.entry.clone();
		altered[0] ^= 1;
		assertThat(signer.verify("k", altered, 0, altered.length, signature)).as("one bit changed").isFalse();
	}

	@Test
	void aKeyAndBytesSplitDifferentlySignDifferently() {
		EntrySigner signer = new EntrySigner(SigningKeys.of(List.of(SigningKeysTests.FIRST)));
		byte[] ab = "ab".getBytes(StandardCharsets.UTF_8);
		byte[] b = "b".getBytes(StandardCharsets.UTF_8);
		assertThat(signer.sign("k", ab, 0, 2)).isNotEqualTo(signer.sign("ka", b, 0, 1));
	}

	@Test
	void duringARotationEitherKeyVerifiesAndTheNewOneSigns() {
		EntrySigner old = new EntrySigner(SigningKeys.of(List.of(SigningKeysTests.FIRST)));
		EntrySigner rotating = new EntrySigner(
				SigningKeys.of(List.of(SigningKeysTests.SECOND, SigningKeysTests.FIRST)));
		EntrySigner rotated = new EntrySigner(SigningKeys.of(List.of(SigningKeysTests.SECOND)));
		byte[] byOld = old.sign("k", this.entry, 0, this.entry.length);
		byte[] byRotating = rotating.sign("k", this.entry, 0, this.entry.length);
		assertThat(rotating.verify("k", this.entry, 0, this.entry.length, byOld)).isTrue();
		assertThat(old.verify("k", this.entry, 0, this.entry.length, byRotating)).isFalse();
		assertThat(rotated.verify("k", this.entry, 0, this.entry.length, byRotating)).isTrue();
		assertThat(rotated.verify("k", this.entry, 0, this.entry.length, byOld)).isFalse();
	}

}
