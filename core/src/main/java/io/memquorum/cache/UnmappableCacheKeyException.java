package io.memquorum.cache;

/**
 * A cache key has no string form that is the same in every JVM: its class neither is a
 * record nor a known value type, nor overrides {@code toString()}.
 */
public class UnmappableCacheKeyException extends IllegalArgumentException {

	private final Class<?> keyType;

	public UnmappableCacheKeyException(Class<?> keyType) {
		super("Cache key of type " + keyType.getName()
				+ " has no stable string form: use a String, a number, an enum, a record or a class that"
				+ " overrides toString() with its state, or register your own CacheKeyMapper");
		this.keyType = keyType;
	}

	public Class<?> getKeyType() {
		return this.keyType;
	}

}
