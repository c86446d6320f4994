package io.memquorum.session;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A session as stored in memcached: its metadata and its attributes as opaque bytes, so
 * that a change can be merged into a replica's copy without deserializing any attribute.
 *
 * <p>
 * Payload format (inside the engine's envelope), big-endian, {@code UTF} as written by
 * {@link DataOutputStream#writeUTF(String)}:
 *
 * <pre>
 * byte  format version, currently 1
 * UTF   session id
 * long  creation time, epoch milliseconds
 * long  last accessed time, epoch milliseconds
 * long  max inactive interval, seconds; negative never expires
 * long  indexed until, epoch milliseconds: how long the index entries written for this
 *       session last; 0 when not indexed
 * int   index count, then per index: UTF index name, UTF index value
 * int   attribute count, then per attribute: UTF name, int length, bytes (serialized value)
 * </pre>
 */
final class StoredSession {

	static final byte FORMAT_VERSION = 1;

	String id;

	long creationTime;

	long lastAccessedTime;

	long maxInactiveSeconds;

	long indexedUntil;

	Map<String, String> indexes = new LinkedHashMap<>();

	Map<String, byte[]> attributes = new LinkedHashMap<>();

	StoredSession(String id) {
		this.id = id;
	}

	/**
	 * When this session expires.
	 * @return epoch milliseconds, or {@link Long#MAX_VALUE} when it never expires
	 */
	long expiresAt() {
		if (this.maxInactiveSeconds < 0) {
			return Long.MAX_VALUE;
		}
		return this.lastAccessedTime + this.maxInactiveSeconds * 1000;
	}

	byte[] encode() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeByte(FORMAT_VERSION);
			out.writeUTF(this.id);
			out.writeLong(this.creationTime);
			out.writeLong(this.lastAccessedTime);
			out.writeLong(this.maxInactiveSeconds);
			out.writeLong(this.indexedUntil);
			out.writeInt(this.indexes.size());
			for (Map.Entry<String, String> index : this.indexes.entrySet()) {
				out.writeUTF(index.getKey());
				out.writeUTF(index.getValue());
			}
			out.writeInt(this.attributes.size());
			for (Map.Entry<String, byte[]> attribute : this.attributes.entrySet()) {
				out.writeUTF(attribute.getKey());
				out.writeInt(attribute.getValue().length);
				out.write(attribute.getValue());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * Read a payload.
	 * @param bytes the payload
	 * @return the session
	 * @throws SessionSerializationException when the bytes are not a payload of a known
	 * format
	 */
	static StoredSession decode(byte[] bytes) {
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
			byte format = in.readByte();
			if (format != FORMAT_VERSION) {
				throw new SessionSerializationException("Unknown session format version " + format);
			}
			StoredSession session = new StoredSession(in.readUTF());
			session.creationTime = in.readLong();
			session.lastAccessedTime = in.readLong();
			session.maxInactiveSeconds = in.readLong();
			session.indexedUntil = in.readLong();
			int indexCount = count(in.readInt(), bytes.length);
			for (int i = 0; i < indexCount; i++) {
				session.indexes.put(in.readUTF(), in.readUTF());
			}
			int attributeCount = count(in.readInt(), bytes.length);
			for (int i = 0; i < attributeCount; i++) {
				String name = in.readUTF();
				byte[] value = new byte[count(in.readInt(), bytes.length)];
				in.readFully(value);
				session.attributes.put(name, value);
			}
			if (in.available() > 0) {
				throw new SessionSerializationException("Session payload has " + in.available() + " trailing bytes");
			}
			return session;
		}
		catch (IOException ex) {
			throw new SessionSerializationException("Session payload is truncated or corrupt: " + ex, ex);
		}
	}

	private static int count(int count, int limit) {
		if (count < 0 || count > limit) {
			throw new SessionSerializationException("Session payload is corrupt: count " + count);
		}
		return count;
	}

	/**
	 * The changes of one save, applied to whatever a replica holds.
	 */
	static final class Changes {

		@Nullable Long lastAccessedTime;

		@Nullable Long maxInactiveSeconds;

		@Nullable Map<String, String> indexes;

		@Nullable Long indexedUntil;

		/** Changed attributes; a {@code null} value removes the attribute. */
		final Map<String, byte @Nullable []> attributes = new LinkedHashMap<>();

		boolean isEmpty() {
			return this.lastAccessedTime == null && this.maxInactiveSeconds == null && this.indexes == null
					&& this.indexedUntil == null && this.attributes.isEmpty();
		}

		void applyTo(StoredSession session) {
			if (this.lastAccessedTime != null) {
				// Concurrent requests may save out of order: never move back in time.
				session.lastAccessedTime = Math.max(session.lastAccessedTime, this.lastAccessedTime);
			}
			if (this.maxInactiveSeconds != null) {
				session.maxInactiveSeconds = this.maxInactiveSeconds;
			}
			if (this.indexes != null) {
				session.indexes = new LinkedHashMap<>(this.indexes);
			}
			if (this.indexedUntil != null) {
				session.indexedUntil = Math.max(session.indexedUntil, this.indexedUntil);
			}
			this.attributes.forEach((name, value) -> {
				if (value != null) {
					session.attributes.put(name, value);
				}
				else {
					session.attributes.remove(name);
				}
			});
		}

	}

}
