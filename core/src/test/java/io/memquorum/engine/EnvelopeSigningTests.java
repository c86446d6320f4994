package io.memquorum.engine;

import java.util.Base64;
import java.util.List;

import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.SigningKeys;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reading envelopes with and without signing keys: every outcome and its reason.
 */
class EnvelopeSigningTests {

	private final EntrySigner signer = new EntrySigner(
			SigningKeys.of(List.of(Base64.getEncoder().encodeToString(new byte[32]))));

	private final Envelope envelope = Envelope.value(42, 7, new byte[] { 1, 2, 3 });

	@Test
	void aSignedEnvelopeReadsBackUnderItsKey() {
		Envelope.Reading reading = Envelope.read(Envelope.FLAGS, this.envelope.encodeSigned("k", this.signer), "k",
				this.signer);
		assertThat(reading.unreadable()).isNull();
		assertThat(reading.envelope()).usingRecursiveComparison().isEqualTo(this.envelope);
	}

	@Test
	void eachWayOfBeingUnusableHasItsReason() {
		byte[] signed = this.envelope.encodeSigned("k", this.signer);
		assertThat(reason(signed, "other", this.signer)).isEqualTo(Envelope.Unreadable.BAD_SIGNATURE);
		byte[] altered = signed.clone();
		altered[Envelope.HEADER_SIZE] ^= 1;
		assertThat(reason(altered, "k", this.signer)).isEqualTo(Envelope.Unreadable.BAD_SIGNATURE);
		assertThat(reason(signed, "k", null)).isEqualTo(Envelope.Unreadable.SIGNED_WITHOUT_KEYS);
		assertThat(reason(this.envelope.encode(), "k", this.signer)).isEqualTo(Envelope.Unreadable.UNSIGNED);
		assertThat(reason(new byte[] { 1, 2, 3 }, "k", this.signer)).isEqualTo(Envelope.Unreadable.NOT_AN_ENVELOPE);
		byte[] future = this.envelope.encode();
		future[2] = 9;
		assertThat(reason(future, "k", null)).isEqualTo(Envelope.Unreadable.UNKNOWN_FORMAT);
		byte[] truncated = java.util.Arrays.copyOf(signed, Envelope.HEADER_SIZE + 4);
		assertThat(reason(truncated, "k", this.signer)).isIn(Envelope.Unreadable.CORRUPT,
				Envelope.Unreadable.BAD_SIGNATURE);
		byte[] corrupt = this.envelope.encode();
		corrupt[corrupt.length - 1] ^= 1;
		assertThat(reason(corrupt, "k", null)).isEqualTo(Envelope.Unreadable.CORRUPT);
	}

	@Test
	void anUnsignedEngineReadsUnsignedEnvelopesAsBefore() {
		Envelope.Reading reading = Envelope.read(Envelope.FLAGS, this.envelope.encode(), "k", null);
		assertThat(reading.envelope()).usingRecursiveComparison().isEqualTo(this.envelope);
	}

	private static Envelope.Unreadable reason(byte[] bytes, String key, EntrySigner signer) {
		Envelope.Reading reading = Envelope.read(Envelope.FLAGS, bytes, key, signer);
		assertThat(reading.envelope()).isNull();
		return reading.unreadable();
	}

}
