package io.memquorum.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import io.memquorum.node.ItemLayout;
import io.memquorum.node.StoredItem;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.SigningKeys;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An item read split into header, payload and signature ({@link Envelope#layout}) reads
 * exactly as the same bytes read whole: the same envelope, or the same reason it is
 * unusable. Hostile bytes included: flipped bits in every position, truncation, another
 * key, unknown formats.
 */
class EnvelopeSplitReadingTests {

	private final EntrySigner signer = signer((byte) 1);

	private final EntrySigner otherSigner = signer((byte) 2);

	@Test
	void everyItemReadsTheSameSplitAsWhole() {
		List<byte[]> items = new ArrayList<>();
		Envelope value = Envelope.value(42, 7, new byte[] { 1, 2, 3, 4, 5 });
		Envelope empty = Envelope.value(43, 0, new byte[0]);
		Envelope tombstone = Envelope.tombstone(44, 9);
		for (Envelope envelope : List.of(value, empty, tombstone)) {
			items.add(envelope.encode());
			items.add(envelope.encodeSigned("k", this.signer));
			items.add(envelope.encodeSigned("k", this.otherSigner));
			items.add(envelope.encodeSigned("another-key", this.signer));
		}
		for (byte[] intact : List.copyOf(items)) {
			for (int i = 0; i < intact.length; i++) {
				byte[] flipped = intact.clone();
				flipped[i] ^= 0x40;
				items.add(flipped);
			}
			for (int length = 0; length < intact.length; length += 7) {
				items.add(Arrays.copyOf(intact, length));
			}
		}
		int compared = 0;
		for (EntrySigner engineSigner : Arrays.asList(null, this.signer)) {
			ItemLayout layout = Envelope.layout(engineSigner);
			for (byte[] bytes : items) {
				Envelope.Reading whole = Envelope.read(Envelope.FLAGS, bytes, "k", engineSigner);
				Envelope.Reading split = Envelope.read(split(layout, bytes), "k", engineSigner);
				assertThat(split.unreadable()).as("reason for %s", Arrays.toString(bytes))
					.isEqualTo(whole.unreadable());
				assertThat(split.envelope()).as("envelope for %s", Arrays.toString(bytes))
					.usingRecursiveComparison()
					.isEqualTo(whole.envelope());
				compared++;
			}
		}
		assertThat(compared).isGreaterThan(1000);
	}

	@Test
	void aSplitReadHandsOverTheBodyItselfAsThePayload() {
		ItemLayout layout = Envelope.layout(this.signer);
		StoredItem item = split(layout, Envelope.value(1, 0, new byte[] { 9, 8, 7 }).encodeSigned("k", this.signer));
		Envelope envelope = Envelope.read(item, "k", this.signer).envelope();
		assertThat(envelope).isNotNull();
		assertThat(envelope.payload()).isSameAs(item.body());
	}

	/** The item as a split read delivers it: split when the layout splits it. */
	private static StoredItem split(ItemLayout layout, byte[] bytes) {
		if (!layout.splits(Envelope.FLAGS, bytes.length)) {
			return new StoredItem(Envelope.FLAGS, bytes, 1);
		}
		int bodyEnd = bytes.length - layout.tailLength();
		return StoredItem.split(Envelope.FLAGS, Arrays.copyOfRange(bytes, 0, layout.headLength()),
				Arrays.copyOfRange(bytes, layout.headLength(), bodyEnd),
				Arrays.copyOfRange(bytes, bodyEnd, bytes.length), 1);
	}

	private static EntrySigner signer(byte fill) {
		byte[] key = new byte[32];
		Arrays.fill(key, fill);
		return new EntrySigner(SigningKeys.of(List.of(Base64.getEncoder().encodeToString(key))));
	}

}
