package io.memquorum.session;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The entries of one index item: the sessions (by the SHA-256 of their id, never the id)
 * that carry one index value, each with the time until which it may be listed.
 *
 * <p>
 * Payload format, big-endian:
 *
 * <pre>
 * byte  format version, currently 1
 * int   entry count, then per entry: UTF session hash (64 hex digits), long listed until,
 *       epoch milliseconds
 * </pre>
 */
final class IndexEntries {

	static final byte FORMAT_VERSION = 1;

	final Map<String, Long> entries;

	private IndexEntries(Map<String, Long> entries) {
		this.entries = entries;
	}

	static IndexEntries empty() {
		return new IndexEntries(new LinkedHashMap<>());
	}

	/**
	 * Read an index payload; unreadable bytes read as an empty index, which the next
	 * write replaces.
	 * @param bytes the payload, or {@code null}
	 * @return the entries
	 */
	static IndexEntries decode(byte @Nullable [] bytes) {
		if (bytes == null) {
			return empty();
		}
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
			if (in.readByte() != FORMAT_VERSION) {
				return empty();
			}
			int count = in.readInt();
			if (count < 0 || count > bytes.length) {
				return empty();
			}
			Map<String, Long> entries = new LinkedHashMap<>();
			for (int i = 0; i < count; i++) {
				entries.put(in.readUTF(), in.readLong());
			}
			return new IndexEntries(entries);
		}
		catch (IOException ex) {
			return empty();
		}
	}

	IndexEntries prune(long now) {
		this.entries.values().removeIf((until) -> until < now);
		return this;
	}

	IndexEntries put(String sessionHash, long until) {
		this.entries.put(sessionHash, until);
		return this;
	}

	/**
	 * Add the entries of another copy of this index item: every session either lists,
	 * each until the later of its two times.
	 * @param other the other copy
	 * @return this
	 */
	IndexEntries mergeFrom(IndexEntries other) {
		other.entries.forEach((hash, until) -> this.entries.merge(hash, until, Math::max));
		return this;
	}

	IndexEntries removeAll(Collection<String> sessionHashes) {
		this.entries.keySet().removeAll(sessionHashes);
		return this;
	}

	byte[] encode() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + this.entries.size() * 76);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeByte(FORMAT_VERSION);
			out.writeInt(this.entries.size());
			for (Map.Entry<String, Long> entry : this.entries.entrySet()) {
				out.writeUTF(entry.getKey());
				out.writeLong(entry.getValue());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

}
