package io.memquorum.cache;

/**
 * A cache value could not be serialized, or stored bytes could not be read back. On reads
 * the cache turns this into a miss; on writes it reaches the caller, because the value's
 * class is not serializable by the configured serializer.
 */
public class CacheValueSerializationException extends RuntimeException {

	public CacheValueSerializationException(String message, Throwable cause) {
		super(message, cause);
	}

	public CacheValueSerializationException(String message) {
		super(message);
	}

}
