package io.memquorum.engine;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;

import io.memquorum.node.ItemLayout;
import io.memquorum.node.StoredItem;
import io.memquorum.signing.EntrySigner;
import org.jspecify.annotations.Nullable;

/**
 * What memquorum stores in memcached around every value: enough to tell versions apart,
 * to repair a replica with the entry's remaining lifetime, and to recognise a delete.
 *
 * <p>
 * Wire format, big-endian, stored under memcached client flags {@link #FLAGS}:
 *
 * <pre>
 * offset size field
 *      0    2 magic 0x4D51 ("MQ")
 *      2    1 format version, currently 1
 *      3    1 kind: 0 value, 1 tombstone, 2 absent (a rolled-back add)
 *      4    8 version: larger is newer (see VersionClock)
 *     12    8 expiry, epoch milliseconds; 0 never expires
 *     20    4 CRC-32 of the payload
 *     24    n payload (empty for tombstones and absent markers)
 * </pre>
 *
 * With signing keys ({@link EntrySigner}) the format version is 2 and a 32-byte
 * HMAC-SHA256 follows the payload: over the memcached key and every byte before it, so
 * that a header (kind, version, expiry), a payload, or a whole entry copied under another
 * key fails to verify. An engine with signing keys reads only signed entries; an engine
 * without reads only unsigned ones.
 *
 * Anything else found under a key, bytes from another program, a truncated item, an
 * unknown format version or a bad checksum, decodes to {@code null}: the engine counts it
 * and treats it as a miss, never as an error for the caller.
 *
 * @param kind what the entry says
 * @param version the write's version
 * @param expiresAtMillis when the entry expires, epoch milliseconds, or 0 for never
 * @param payload the caller's bytes
 */
public record Envelope(Kind kind, long version, long expiresAtMillis, byte[] payload) {

	/** The memcached client flags every envelope is stored under. */
	public static final int FLAGS = 0x4D51;

	/** Bytes added in front of the payload. */
	public static final int HEADER_SIZE = 24;

	private static final short MAGIC = 0x4D51;

	private static final byte FORMAT_VERSION = 1;

	private static final byte SIGNED_FORMAT_VERSION = 2;

	private static final byte[] EMPTY = new byte[0];

	/**
	 * {@link Kind#values()} copies its array on every call; decode runs on every read.
	 */
	private static final Kind[] KINDS = Kind.values();

	public static Envelope value(long version, long expiresAtMillis, byte[] payload) {
		return new Envelope(Kind.VALUE, version, expiresAtMillis, payload);
	}

	public static Envelope tombstone(long version, long expiresAtMillis) {
		return new Envelope(Kind.TOMBSTONE, version, expiresAtMillis, EMPTY);
	}

	/**
	 * A marker that reads as a plain miss and loses to every version.
	 * @return the marker
	 */
	public static Envelope absent() {
		return new Envelope(Kind.ABSENT, 0, 0, EMPTY);
	}

	public boolean isValue() {
		return this.kind == Kind.VALUE;
	}

	public boolean isTombstone() {
		return this.kind == Kind.TOMBSTONE;
	}

	/**
	 * Whether this entry should replace {@code other} on a replica: a newer write wins,
	 * and anything beats an absent marker.
	 * @param other what the replica holds, or {@code null} when it holds nothing usable
	 * @return whether to overwrite
	 */
	public boolean supersedes(@Nullable Envelope other) {
		return other == null || other.kind == Kind.ABSENT || this.version > other.version;
	}

	public Envelope withExpiry(long expiresAtMillis) {
		return new Envelope(this.kind, this.version, expiresAtMillis, this.payload);
	}

	public byte[] encode() {
		ByteBuffer buffer = ByteBuffer.allocate(HEADER_SIZE + this.payload.length);
		buffer.putShort(MAGIC);
		buffer.put(FORMAT_VERSION);
		buffer.put((byte) this.kind.ordinal());
		buffer.putLong(this.version);
		buffer.putLong(this.expiresAtMillis);
		buffer.putInt(checksum(this.payload));
		buffer.put(this.payload);
		return buffer.array();
	}

	/**
	 * Encode with a signature over the memcached key and the bytes (format version 2).
	 * @param key the memcached key the entry is stored under
	 * @param signer signs with the first signing key
	 * @return the bytes to store
	 */
	public byte[] encodeSigned(String key, EntrySigner signer) {
		int signed = HEADER_SIZE + this.payload.length;
		byte[] bytes = new byte[signed + EntrySigner.SIGNATURE_SIZE];
		ByteBuffer buffer = ByteBuffer.wrap(bytes);
		buffer.putShort(MAGIC);
		buffer.put(SIGNED_FORMAT_VERSION);
		buffer.put((byte) this.kind.ordinal());
		buffer.putLong(this.version);
		buffer.putLong(this.expiresAtMillis);
		buffer.putInt(checksum(this.payload));
		buffer.put(this.payload);
		buffer.put(signer.sign(key, bytes, 0, signed));
		return bytes;
	}

	/**
	 * Decode what memcached returned under a key, and say why when it cannot be used.
	 * @param flags the item's client flags
	 * @param bytes the item's bytes
	 * @param key the memcached key the item was read from
	 * @param signer verifies signatures, or {@code null} when the engine has no signing
	 * keys
	 * @return the envelope, or the reason it is unreadable
	 */
	public static Reading read(int flags, byte[] bytes, String key, @Nullable EntrySigner signer) {
		if (flags != FLAGS || bytes.length < HEADER_SIZE || !hasMagic(bytes)) {
			return Reading.unreadable(Unreadable.NOT_AN_ENVELOPE);
		}
		Unreadable problem = formatProblem(bytes[2], signer);
		if (problem != null) {
			return Reading.unreadable(problem);
		}
		if (signer == null) {
			return parsed(parse(bytes, Arrays.copyOfRange(bytes, HEADER_SIZE, bytes.length)));
		}
		int signed = bytes.length - EntrySigner.SIGNATURE_SIZE;
		if (signed < HEADER_SIZE) {
			return Reading.unreadable(Unreadable.CORRUPT);
		}
		byte[] signature = Arrays.copyOfRange(bytes, signed, bytes.length);
		if (!signer.verify(key, bytes, 0, signed, signature)) {
			return Reading.unreadable(Unreadable.BAD_SIGNATURE);
		}
		return parsed(parse(bytes, Arrays.copyOfRange(bytes, HEADER_SIZE, signed)));
	}

	/**
	 * As {@link #read(int, byte[], String, EntrySigner)}, for an item that may have
	 * arrived split by {@link #layout(EntrySigner)}: the envelope's payload is then the
	 * item's body itself, never a copy.
	 * @param item what memcached returned
	 * @param key the memcached key the item was read from
	 * @param signer verifies signatures, or {@code null} when the engine has no signing
	 * keys
	 * @return the envelope, or the reason it is unreadable
	 */
	public static Reading read(StoredItem item, String key, @Nullable EntrySigner signer) {
		int signatureSize = (signer != null) ? EntrySigner.SIGNATURE_SIZE : 0;
		if (!item.isSplit() || item.tail().length != signatureSize) {
			// Whole (other flags, or too short to split), or split by another layout.
			return read(item.flags(), item.data(), key, signer);
		}
		byte[] header = item.head();
		if (item.flags() != FLAGS || header.length != HEADER_SIZE || !hasMagic(header)) {
			return Reading.unreadable(Unreadable.NOT_AN_ENVELOPE);
		}
		Unreadable problem = formatProblem(header[2], signer);
		if (problem != null) {
			return Reading.unreadable(problem);
		}
		if (signer != null && !signer.verify(key, header, item.body(), item.tail())) {
			return Reading.unreadable(Unreadable.BAD_SIGNATURE);
		}
		return parsed(parse(header, item.body()));
	}

	/**
	 * Why a format version cannot be read by this engine, or {@code null} when it can.
	 */
	private static @Nullable Unreadable formatProblem(byte format, @Nullable EntrySigner signer) {
		if (format == FORMAT_VERSION) {
			return (signer != null) ? Unreadable.UNSIGNED : null;
		}
		if (format == SIGNED_FORMAT_VERSION) {
			return (signer == null) ? Unreadable.SIGNED_WITHOUT_KEYS : null;
		}
		return Unreadable.UNKNOWN_FORMAT;
	}

	/**
	 * How the items of an engine split as they arrive: the header in front, the payload,
	 * and the signature behind it when the engine signs.
	 * @param signer the engine's signer, or {@code null}
	 * @return the layout
	 */
	public static ItemLayout layout(@Nullable EntrySigner signer) {
		return new ItemLayout(FLAGS, HEADER_SIZE, (signer != null) ? EntrySigner.SIGNATURE_SIZE : 0);
	}

	/**
	 * Decode what memcached returned.
	 * @param flags the item's client flags
	 * @param bytes the item's bytes
	 * @return the envelope, or {@code null} when the bytes are not a valid envelope
	 */
	public static @Nullable Envelope decode(int flags, byte[] bytes) {
		if (flags != FLAGS || bytes.length < HEADER_SIZE || !hasMagic(bytes) || bytes[2] != FORMAT_VERSION) {
			return null;
		}
		return parse(bytes, Arrays.copyOfRange(bytes, HEADER_SIZE, bytes.length));
	}

	private static Reading parsed(@Nullable Envelope envelope) {
		return (envelope != null) ? new Reading(envelope, null) : Reading.unreadable(Unreadable.CORRUPT);
	}

	private static boolean hasMagic(byte[] header) {
		return (short) (((header[0] & 0xFF) << 8) | (header[1] & 0xFF)) == MAGIC;
	}

	/**
	 * The envelope whose header starts {@code header} and whose payload is
	 * {@code payload}, or {@code null} when the kind is unknown or the checksum fails.
	 */
	private static @Nullable Envelope parse(byte[] header, byte[] payload) {
		int kind = header[3];
		if (kind < 0 || kind >= KINDS.length) {
			return null;
		}
		long version = longAt(header, 4);
		long expiresAt = longAt(header, 12);
		int checksum = (int) longAt(header, 20, 4);
		if (checksum(payload) != checksum) {
			return null;
		}
		return new Envelope(KINDS[kind], version, expiresAt, payload);
	}

	private static long longAt(byte[] bytes, int offset) {
		return longAt(bytes, offset, 8);
	}

	/** The big-endian number in {@code length} bytes at {@code offset}. */
	private static long longAt(byte[] bytes, int offset, int length) {
		long value = 0;
		for (int i = 0; i < length; i++) {
			value = (value << 8) | (bytes[offset + i] & 0xFF);
		}
		return value;
	}

	private static int checksum(byte[] payload) {
		CRC32 crc = new CRC32();
		crc.update(payload);
		return (int) crc.getValue();
	}

	@Override
	public String toString() {
		return "Envelope[" + this.kind + ", version=" + this.version + ", expiresAt=" + this.expiresAtMillis + ", "
				+ this.payload.length + " bytes]";
	}

	/**
	 * The outcome of {@link #read}: an envelope, or why there is none.
	 *
	 * @param envelope the envelope, or {@code null} when unreadable
	 * @param unreadable why the bytes cannot be used, or {@code null} when they can
	 */
	public record Reading(@Nullable Envelope envelope, @Nullable Unreadable unreadable) {

		static Reading unreadable(Unreadable reason) {
			return new Reading(null, reason);
		}

	}

	/**
	 * Why stored bytes cannot be used. Each is counted under
	 * {@code memquorum.values.unreadable} with its {@link #tag()} as the reason.
	 */
	public enum Unreadable {

		/** Bytes of another program, or under other client flags. */
		NOT_AN_ENVELOPE("not-an-envelope"),

		/** A format version this release does not know. */
		UNKNOWN_FORMAT("unknown-format"),

		/** Truncated, or the payload does not match its checksum. */
		CORRUPT("corrupt"),

		/** Unsigned while this engine has signing keys: forged, or written before. */
		UNSIGNED("unsigned"),

		/** Signed while this engine has no signing keys to verify with. */
		SIGNED_WITHOUT_KEYS("signed-without-keys"),

		/** The signature matches none of the configured keys: forged, or another key. */
		BAD_SIGNATURE("bad-signature");

		private final String tag;

		Unreadable(String tag) {
			this.tag = tag;
		}

		/**
		 * The reason as a metric tag value.
		 * @return for example {@code bad-signature}
		 */
		public String tag() {
			return this.tag;
		}

	}

	/**
	 * What an entry says about its key.
	 */
	public enum Kind {

		/** The key holds a value. */
		VALUE,

		/** The key was deleted; reads see a miss and older values must not come back. */
		TOMBSTONE,

		/** Nothing is here: an add that lost its quorum was rolled back. */
		ABSENT

	}

}
