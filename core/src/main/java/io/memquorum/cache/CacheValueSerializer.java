package io.memquorum.cache;

/**
 * Turns cache values into bytes and back. Implementations must be thread-safe. The cache
 * handles {@code null} values itself, so a serializer never sees {@code null}.
 *
 * @see AllowListJdkSerializer
 */
public interface CacheValueSerializer {

	/**
	 * Serialize a value.
	 * @param value the value, never {@code null}
	 * @return its bytes
	 * @throws CacheValueSerializationException when the value cannot be serialized
	 */
	byte[] serialize(Object value);

	/**
	 * Deserialize bytes written by {@link #serialize(Object)}, possibly by another
	 * version of the application.
	 * @param bytes the bytes
	 * @return the value
	 * @throws CacheValueSerializationException when the bytes cannot be read back: they
	 * are corrupt, name a class that is not allowed, or a class that changed
	 */
	Object deserialize(byte[] bytes);

}
