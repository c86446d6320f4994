package io.memquorum.engine;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

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
	 * Decode what memcached returned.
	 * @param flags the item's client flags
	 * @param bytes the item's bytes
	 * @return the envelope, or {@code null} when the bytes are not a valid envelope
	 */
	public static @Nullable Envelope decode(int flags, byte[] bytes) {
		if (flags != FLAGS || bytes.length < HEADER_SIZE) {
			return null;
		}
		ByteBuffer buffer = ByteBuffer.wrap(bytes);
		if (buffer.getShort() != MAGIC || buffer.get() != FORMAT_VERSION) {
			return null;
		}
		int kind = buffer.get();
		if (kind < 0 || kind >= KINDS.length) {
			return null;
		}
		long version = buffer.getLong();
		long expiresAt = buffer.getLong();
		int checksum = buffer.getInt();
		byte[] payload = new byte[buffer.remaining()];
		buffer.get(payload);
		if (checksum(payload) != checksum) {
			return null;
		}
		return new Envelope(KINDS[kind], version, expiresAt, payload);
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
