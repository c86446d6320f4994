package io.memquorum.cache;

import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;

/**
 * The bytes of one cache entry: {@code [format 1][generation: 8 bytes][kind: 0 null,
 * 1 value][serialized value...]}. The generation ties the entry to the cache generation
 * it was written in, so that a {@code clear()} (a new generation) turns every older entry
 * into a miss without deleting it.
 *
 * @param generation the cache generation the entry was written in
 * @param payload the serialized value, or {@code null} for a cached {@code null}
 */
record StoredEntry(long generation, byte @Nullable [] payload) {

	static final byte FORMAT = 1;

	private static final int HEADER = 10;

	byte[] encode() {
		int length = HEADER + ((this.payload != null) ? this.payload.length : 0);
		ByteBuffer buffer = ByteBuffer.allocate(length);
		buffer.put(FORMAT).putLong(this.generation).put((byte) ((this.payload != null) ? 1 : 0));
		if (this.payload != null) {
			buffer.put(this.payload);
		}
		return buffer.array();
	}

	/**
	 * Read stored bytes.
	 * @param bytes the bytes
	 * @return the entry, or {@code null} when the bytes are not an entry of this format
	 */
	static @Nullable StoredEntry decode(byte[] bytes) {
		if (bytes.length < HEADER || bytes[0] != FORMAT || (bytes[9] != 0 && bytes[9] != 1)) {
			return null;
		}
		ByteBuffer buffer = ByteBuffer.wrap(bytes);
		buffer.get();
		long generation = buffer.getLong();
		boolean isNull = buffer.get() == 0;
		if (isNull) {
			return (bytes.length == HEADER) ? new StoredEntry(generation, null) : null;
		}
		byte[] payload = new byte[bytes.length - HEADER];
		buffer.get(payload);
		return new StoredEntry(generation, payload);
	}

}
