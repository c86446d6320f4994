package io.memquorum.signing;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LineSignerTests {

	private final LineSigner markers = new LineSigner(SigningKeys.of(List.of(SigningKeysTests.FIRST)),
			LineSigner.MARKER);

	@Test
	void aSignedLineVerifiesUnderItsOwnKeyAndGivesTheLineBack() {
		String signed = this.markers.sign("shop:#m:complete", "memquorum-complete at=1");
		assertThat(signed).startsWith("memquorum-complete at=1 sig=")
			.hasSize("memquorum-complete at=1 sig=".length() + 64);
		assertThat(this.markers.verified("shop:#m:complete", signed)).isEqualTo("memquorum-complete at=1");
	}

	@Test
	void aPlainAlteredMovedOrTruncatedLineDoesNotVerify() {
		String signed = this.markers.sign("shop:#m:complete", "memquorum-complete at=1");
		assertThat(this.markers.verified("shop:#m:complete", "memquorum-complete at=1")).isNull();
		assertThat(this.markers.verified("shop:#m:complete", signed.replace("at=1", "at=2"))).isNull();
		assertThat(this.markers.verified("other:#m:complete", signed)).isNull();
		assertThat(this.markers.verified("shop:#m:complete", signed.substring(0, signed.length() - 1))).isNull();
		assertThat(this.markers.verified("shop:#m:complete", signed.substring(0, signed.length() - 2) + "zz")).isNull();
	}

	@Test
	void eachPurposeHasItsOwnKeySoAMarkerSignatureIsNoLeaseSignature() {
		LineSigner leases = new LineSigner(SigningKeys.of(List.of(SigningKeysTests.FIRST)), LineSigner.LEASE);
		String signed = this.markers.sign("k", "owner=a");
		assertThat(leases.verified("k", signed)).isNull();
	}

	@Test
	void aLineSignedWithAnOlderSecretVerifiesDuringARotation() {
		String signed = this.markers.sign("k", "line");
		LineSigner rotating = new LineSigner(SigningKeys.of(List.of(SigningKeysTests.SECOND, SigningKeysTests.FIRST)),
				LineSigner.MARKER);
		assertThat(rotating.verified("k", signed)).isEqualTo("line");
		LineSigner rotated = new LineSigner(SigningKeys.of(List.of(SigningKeysTests.SECOND)), LineSigner.MARKER);
		assertThat(rotated.verified("k", signed)).isNull();
	}

}
