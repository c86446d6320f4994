package io.memquorum.engine;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EnvelopeTests {

	@Test
	void valueRoundTripsWithVersionExpiryAndPayload() {
		Envelope envelope = Envelope.value(42, 1_700_000_000_000L, "hello".getBytes(StandardCharsets.UTF_8));
		Envelope decoded = Envelope.decode(Envelope.FLAGS, envelope.encode());
		assertThat(decoded).isNotNull();
		assertThat(decoded.kind()).isEqualTo(Envelope.Kind.VALUE);
		assertThat(decoded.version()).isEqualTo(42);
		assertThat(decoded.expiresAtMillis()).isEqualTo(1_700_000_000_000L);
		assertThat(decoded.payload()).asString(StandardCharsets.UTF_8).isEqualTo("hello");
	}

	@Test
	void tombstoneRoundTrips() {
		Envelope decoded = Envelope.decode(Envelope.FLAGS, Envelope.tombstone(7, 0).encode());
		assertThat(decoded).isNotNull();
		assertThat(decoded.isTombstone()).isTrue();
		assertThat(decoded.payload()).isEmpty();
	}

	@Test
	void bytesWithOtherFlagsAreUnreadable() {
		assertThat(Envelope.decode(0, Envelope.value(1, 0, new byte[3]).encode())).isNull();
	}

	@Test
	void flippedPayloadBitIsUnreadable() {
		byte[] bytes = Envelope.value(1, 0, "payload".getBytes(StandardCharsets.UTF_8)).encode();
		bytes[bytes.length - 1] ^= 0x01;
		assertThat(Envelope.decode(Envelope.FLAGS, bytes)).isNull();
	}

	@Test
	void unknownFormatVersionIsUnreadable() {
		byte[] bytes = Envelope.value(1, 0, new byte[] { 1 }).encode();
		bytes[2] = 99;
		assertThat(Envelope.decode(Envelope.FLAGS, bytes)).isNull();
	}

	@Test
	void truncatedBytesAreUnreadable() {
		assertThat(Envelope.decode(Envelope.FLAGS, new byte[] { 0x4D, 0x51, 1 })).isNull();
	}

	@Test
	void newerVersionSupersedesOlderAndAnythingSupersedesAbsent() {
		Envelope older = Envelope.value(1, 0, new byte[0]);
		Envelope newer = Envelope.tombstone(2, 0);
		assertThat(newer.supersedes(older)).isTrue();
		assertThat(older.supersedes(newer)).isFalse();
		assertThat(older.supersedes(older)).isFalse();
		assertThat(older.supersedes(Envelope.absent())).isTrue();
		assertThat(older.supersedes(null)).isTrue();
	}

}
