package io.memquorum.session;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

/**
 * A session as stored in memcached: every field carries the version of the write that set
 * it, so that two copies merge field by field into the same result whatever order they
 * meet in (a join: commutative, associative, idempotent). Replicas therefore converge
 * after any interleaving of saves, hint replays, repairs and refills.
 *
 * <h2>Fields</h2> Each metadata field and each attribute is a register: (version, value).
 * Merging keeps, per register, the higher version; equal versions keep the larger value
 * (byte order), so even a tie is decided the same way everywhere. A removed attribute
 * stays as a tombstone register (no value), so that a removal wins over an older copy
 * that still has the attribute. {@code indexedUntil} only grows. The session id is not a
 * field: it is the same in every copy of one key, and a stored copy without one (a
 * {@link #delta} of a save) merges into a full one. Its sealing may differ between copies
 * (a random nonce, or a save that sealed it again under a new signing key): a merge keeps
 * the one {@link SessionIdSeal#preferred} chooses, the sealing under the current key
 * first. A delta carries a sealing only when its save seals the id again.
 *
 * <p>
 * Two registers end a session for good, and only grow: {@code invalidated} (set by a
 * logout before its tombstone) and {@code movedTo} (set by {@code changeSessionId}: the
 * SHA-256 of the new id). Either makes the copy read as absent, and a save merges nothing
 * into it. Because both are written with compare-and-swap merges into every replica, a
 * logout and an id change that race always see each other on the replica their write
 * quorums share.
 *
 * <h2>Payload format</h2> Inside the engine's envelope, big-endian, {@code UTF} as
 * written by {@link DataOutputStream#writeUTF(String)}:
 *
 * <pre>
 * byte  format version, currently 2
 * int   sealed id length, -1 when absent (a delta that does not seal the id again), then
 *       the id bytes
 * long  indexed until, epoch milliseconds; 0 when not indexed
 * long, long   creation time: version, epoch milliseconds
 * long, long   last accessed time: version, epoch milliseconds
 * long, long   max inactive interval: version, seconds; negative never expires
 * long, long   invalidated: version, 1 once invalidated
 * long  moved-to version, int length (-1 when not moved), bytes (hash of the new id)
 * long  indexes version, int index count, then per index: UTF name, UTF value
 * int   attribute count, then per attribute (sorted by name): UTF name, long version,
 *       int length (-1 for a removed attribute), bytes (the serialized value)
 * </pre>
 *
 * A version of 0 means "never set". Decoding checks every count, length and time against
 * sane ranges (for example a max inactive interval above 100 years) and rejects the
 * payload otherwise: bytes from memcached are untrusted, and a session that cannot be
 * trusted reads as absent.
 */
final class StoredSession {

	static final byte FORMAT_VERSION = 2;

	/** The longest max inactive interval accepted from memcached: 100 years. */
	static final long MAX_INACTIVE_SECONDS = 100L * 366 * 24 * 60 * 60;

	/** Keeps the larger of two sealings, as a seal without a cipher does. */
	private static final SessionIdSeal BYTE_ORDER = new SessionIdSeal(null);

	/** The latest time accepted from memcached: the year 5000, in epoch milliseconds. */
	static final long MAX_EPOCH_MILLIS = 95_617_584_000_000L;

	/** The id, as the id sealer left it; {@code null} in a delta. */
	byte @Nullable [] sealedId;

	long indexedUntil;

	final LongRegister creationTime = new LongRegister();

	final LongRegister lastAccessedTime = new LongRegister();

	final LongRegister maxInactiveSeconds = new LongRegister();

	final LongRegister invalidated = new LongRegister();

	long movedToVersion;

	byte @Nullable [] movedTo;

	long indexesVersion;

	Map<String, String> indexes = new TreeMap<>();

	/** Attributes by name; a register without value is a removed attribute. */
	final Map<String, Attribute> attributes = new TreeMap<>();

	/**
	 * A delta: only what one save changed, without an id.
	 * @return an empty delta
	 */
	static StoredSession delta() {
		return new StoredSession();
	}

	/**
	 * A whole session's copy, starting with its id as the repository seals it.
	 * @param sealedId the id, sealed (encrypted when signing keys are set)
	 * @return the copy, with no field set yet
	 */
	static StoredSession withSealedId(byte[] sealedId) {
		StoredSession session = new StoredSession();
		session.sealedId = sealedId;
		return session;
	}

	/**
	 * A copy that merges can change without changing this one: registers and maps are
	 * copied; attributes and byte arrays, which nothing changes in place, are shared.
	 * @return the copy
	 */
	StoredSession copy() {
		StoredSession copy = new StoredSession();
		copy.sealedId = this.sealedId;
		copy.indexedUntil = this.indexedUntil;
		copy.creationTime.mergeFrom(this.creationTime);
		copy.lastAccessedTime.mergeFrom(this.lastAccessedTime);
		copy.maxInactiveSeconds.mergeFrom(this.maxInactiveSeconds);
		copy.invalidated.mergeFrom(this.invalidated);
		copy.movedToVersion = this.movedToVersion;
		copy.movedTo = this.movedTo;
		copy.indexesVersion = this.indexesVersion;
		copy.indexes = new TreeMap<>(this.indexes);
		copy.attributes.putAll(this.attributes);
		return copy;
	}

	/**
	 * Whether this copy is a whole session, as opposed to a delta that reached a replica
	 * with nothing to merge into.
	 */
	boolean isComplete() {
		return this.sealedId != null && this.creationTime.version != 0 && this.lastAccessedTime.version != 0
				&& this.maxInactiveSeconds.version != 0;
	}

	/**
	 * Whether this delta changes nothing.
	 */
	boolean isEmptyChange() {
		return this.sealedId == null && this.attributes.isEmpty() && this.lastAccessedTime.version == 0
				&& this.maxInactiveSeconds.version == 0 && this.indexesVersion == 0 && this.indexedUntil == 0;
	}

	/**
	 * Whether a logout or an id change ended this copy.
	 */
	boolean isEnded() {
		return this.invalidated.version != 0 || this.movedTo != null;
	}

	/**
	 * The id hash this session moved to, if {@code changeSessionId} moved it.
	 */
	@Nullable String movedToHash() {
		return (this.movedTo != null) ? new String(this.movedTo, StandardCharsets.US_ASCII) : null;
	}

	void moveTo(long version, String hash) {
		this.movedToVersion = version;
		this.movedTo = hash.getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * When this session expires.
	 * @return epoch milliseconds, or {@link Long#MAX_VALUE} when it never expires
	 */
	long expiresAt() {
		if (this.maxInactiveSeconds.value < 0) {
			return Long.MAX_VALUE;
		}
		return this.lastAccessedTime.value + this.maxInactiveSeconds.value * 1000;
	}

	/** Live attributes: those with a value. */
	Map<String, byte[]> liveAttributes() {
		Map<String, byte[]> live = new LinkedHashMap<>();
		this.attributes.forEach((name, attribute) -> {
			if (attribute.value != null) {
				live.put(name, attribute.value);
			}
		});
		return live;
	}

	/** The largest version any field carries. */
	long maxVersion() {
		long max = Math.max(Math.max(this.indexesVersion, this.movedToVersion),
				Math.max(Math.max(this.creationTime.version, this.invalidated.version),
						Math.max(this.lastAccessedTime.version, this.maxInactiveSeconds.version)));
		for (Attribute attribute : this.attributes.values()) {
			max = Math.max(max, attribute.version);
		}
		return max;
	}

	/**
	 * Merge another copy (or delta) of the same session into this one, field by field,
	 * keeping the larger of two sealings of the id (for copies that no key opens
	 * differently, such as those without signing keys).
	 * @param other the other copy
	 * @return this
	 */
	StoredSession mergeFrom(StoredSession other) {
		return mergeFrom(other, BYTE_ORDER);
	}

	/**
	 * Merge another copy (or delta) of the same session into this one, field by field.
	 * @param other the other copy
	 * @param seal decides which of two sealings of the id to keep
	 * @return this
	 */
	StoredSession mergeFrom(StoredSession other, SessionIdSeal seal) {
		this.sealedId = seal.preferred(this.sealedId, other.sealedId);
		this.indexedUntil = Math.max(this.indexedUntil, other.indexedUntil);
		this.creationTime.mergeFrom(other.creationTime);
		this.lastAccessedTime.mergeFrom(other.lastAccessedTime);
		this.maxInactiveSeconds.mergeFrom(other.maxInactiveSeconds);
		this.invalidated.mergeFrom(other.invalidated);
		if (other.movedTo != null && (this.movedTo == null || other.movedToVersion > this.movedToVersion
				|| (other.movedToVersion == this.movedToVersion && Arrays.compare(other.movedTo, this.movedTo) > 0))) {
			this.movedToVersion = other.movedToVersion;
			this.movedTo = other.movedTo;
		}
		if (other.indexesVersion > this.indexesVersion || (other.indexesVersion == this.indexesVersion
				&& other.indexes.toString().compareTo(this.indexes.toString()) > 0)) {
			this.indexesVersion = other.indexesVersion;
			this.indexes = new TreeMap<>(other.indexes);
		}
		other.attributes.forEach((name, attribute) -> {
			Attribute held = this.attributes.get(name);
			if (held == null || attribute.beats(held)) {
				this.attributes.put(name, attribute);
			}
		});
		return this;
	}

	/**
	 * Merge two payloads.
	 * @param held what a replica holds
	 * @param incoming what arrives
	 * @return the merged payload
	 * @throws SessionSerializationException when either cannot be read
	 */
	static byte[] merge(byte[] held, byte[] incoming) {
		return decode(held).mergeFrom(decode(incoming)).encode();
	}

	byte[] encode() {
		// Sized for the whole payload at once: growing from a small buffer copied a 1 KB
		// session four times (the session cycle's profile, docs/benchmarks.md).
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(encodedSizeEstimate());
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeByte(FORMAT_VERSION);
			if (this.sealedId == null) {
				out.writeInt(-1);
			}
			else {
				out.writeInt(this.sealedId.length);
				out.write(this.sealedId);
			}
			out.writeLong(this.indexedUntil);
			this.creationTime.write(out);
			this.lastAccessedTime.write(out);
			this.maxInactiveSeconds.write(out);
			this.invalidated.write(out);
			out.writeLong(this.movedToVersion);
			out.writeInt((this.movedTo != null) ? this.movedTo.length : -1);
			if (this.movedTo != null) {
				out.write(this.movedTo);
			}
			out.writeLong(this.indexesVersion);
			out.writeInt(this.indexes.size());
			for (Map.Entry<String, String> index : this.indexes.entrySet()) {
				out.writeUTF(index.getKey());
				out.writeUTF(index.getValue());
			}
			out.writeInt(this.attributes.size());
			for (Map.Entry<String, Attribute> attribute : this.attributes.entrySet()) {
				out.writeUTF(attribute.getKey());
				out.writeLong(attribute.getValue().version);
				byte[] value = attribute.getValue().value;
				out.writeInt((value != null) ? value.length : -1);
				if (value != null) {
					out.write(value);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	private int encodedSizeEstimate() {
		int size = 160 + ((this.sealedId != null) ? this.sealedId.length : 0)
				+ ((this.movedTo != null) ? this.movedTo.length : 0) + 64 * this.indexes.size();
		for (Map.Entry<String, Attribute> attribute : this.attributes.entrySet()) {
			byte[] value = attribute.getValue().value;
			size += 2 + 3 * attribute.getKey().length() + 12 + ((value != null) ? value.length : 0);
		}
		return size;
	}

	/**
	 * Read a payload, checking every field's range.
	 * @param bytes the payload
	 * @return the session
	 * @throws SessionSerializationException when the bytes are not a payload of a known
	 * format or a field is out of range
	 */
	static StoredSession decode(byte[] bytes) {
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
			byte format = in.readByte();
			if (format != FORMAT_VERSION) {
				throw new SessionSerializationException("Unknown session format version " + format);
			}
			StoredSession session = new StoredSession();
			int idLength = in.readInt();
			if (idLength != -1) {
				session.sealedId = new byte[count(idLength, bytes.length)];
				in.readFully(session.sealedId);
			}
			session.indexedUntil = time("indexed until", in.readLong(), true);
			session.creationTime.read(in);
			time("creation time", session.creationTime.value, false);
			session.lastAccessedTime.read(in);
			time("last accessed time", session.lastAccessedTime.value, false);
			session.maxInactiveSeconds.read(in);
			long maxInactive = session.maxInactiveSeconds.value;
			if (maxInactive > MAX_INACTIVE_SECONDS) {
				throw new SessionSerializationException("Max inactive interval out of range: " + maxInactive + " s");
			}
			session.invalidated.read(in);
			session.movedToVersion = version(in.readLong());
			int movedLength = in.readInt();
			if (movedLength != -1) {
				session.movedTo = new byte[count(movedLength, Math.min(bytes.length, 128))];
				in.readFully(session.movedTo);
			}
			session.indexesVersion = version(in.readLong());
			int indexCount = count(in.readInt(), bytes.length);
			for (int i = 0; i < indexCount; i++) {
				session.indexes.put(in.readUTF(), in.readUTF());
			}
			int attributeCount = count(in.readInt(), bytes.length);
			for (int i = 0; i < attributeCount; i++) {
				String name = in.readUTF();
				long version = version(in.readLong());
				int length = in.readInt();
				byte[] value = null;
				if (length != -1) {
					value = new byte[count(length, bytes.length)];
					in.readFully(value);
				}
				session.attributes.put(name, new Attribute(version, value));
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

	private static long time(String field, long millis, boolean allowUnbounded) {
		if (allowUnbounded && millis == Long.MAX_VALUE) {
			return millis;
		}
		if (millis < 0 || millis > MAX_EPOCH_MILLIS) {
			throw new SessionSerializationException("Session " + field + " out of range: " + millis);
		}
		return millis;
	}

	private static long version(long version) {
		if (version < 0) {
			throw new SessionSerializationException("Session field version out of range: " + version);
		}
		return version;
	}

	/** One metadata field: a long value and the version of the write that set it. */
	static final class LongRegister {

		long version;

		long value;

		void set(long version, long value) {
			this.version = version;
			this.value = value;
		}

		void mergeFrom(LongRegister other) {
			if (other.version > this.version || (other.version == this.version && other.value > this.value)) {
				this.version = other.version;
				this.value = other.value;
			}
		}

		void write(DataOutputStream out) throws IOException {
			out.writeLong(this.version);
			out.writeLong(this.value);
		}

		void read(DataInputStream in) throws IOException {
			this.version = version(in.readLong());
			this.value = in.readLong();
		}

	}

	/**
	 * One attribute: its serialized value, or {@code null} once removed, and the version
	 * of the write that set or removed it.
	 *
	 * @param version the version
	 * @param value the serialized value, {@code null} for a removed attribute
	 */
	record Attribute(long version, byte @Nullable [] value) {

		boolean beats(Attribute other) {
			if (this.version != other.version) {
				return this.version > other.version;
			}
			if (other.value == null) {
				return false;
			}
			return this.value == null || Arrays.compare(this.value, other.value) > 0;
		}

	}

}
