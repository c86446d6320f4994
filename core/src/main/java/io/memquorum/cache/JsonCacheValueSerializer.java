package io.memquorum.cache;

import java.io.InvalidClassException;
import java.util.Collection;
import java.util.List;

import io.memquorum.serialization.PackageAllowList;
import io.memquorum.serialization.TypedJson;
import org.jspecify.annotations.Nullable;

/**
 * Cached values as JSON (Jackson 3), readable by a person looking at memcached:
 * {@code {"type":"com.example.Price","value":{"cents":1250}}}. Only classes the
 * allow-list names are read back, the root class and every nested class that carries type
 * information alike ({@link TypedJson}); the JDK's value types
 * ({@link PackageAllowList#JDK_VALUE_TYPES}) are always allowed.
 * <p>
 * Cached classes need a shape Jackson can read back: records, or classes with a default
 * constructor and setters or annotated creators. A value whose class changed shape since
 * it was written (a property removed, or a record component added) is a
 * {@link CacheValueSerializationException}, which the cache reads as a miss; so is any
 * failure while reading, an {@link OutOfMemoryError} or {@link StackOverflowError}
 * included.
 */
public class JsonCacheValueSerializer implements CacheValueSerializer {

	private final PackageAllowList allowList;

	private final TypedJson json;

	/**
	 * Create a serializer.
	 * @param allowedPackages packages whose classes (and sub-packages' classes) may be
	 * read back, in addition to {@link PackageAllowList#JDK_VALUE_TYPES}
	 * @param classLoader the class loader to resolve classes with, or {@code null} for
	 * the thread context class loader
	 */
	public JsonCacheValueSerializer(Collection<String> allowedPackages, @Nullable ClassLoader classLoader) {
		this.allowList = new PackageAllowList(PackageAllowList.JDK_VALUE_TYPES, allowedPackages, classLoader);
		this.json = new TypedJson(this.allowList, classLoader);
	}

	/**
	 * The packages whose classes may be read back, the JDK's value types first.
	 * @return the allowed packages
	 */
	public List<String> getAllowedPackages() {
		return this.allowList.packages();
	}

	@Override
	public byte[] serialize(Object value) {
		try {
			return this.json.write(value);
		}
		catch (RuntimeException ex) {
			throw new CacheValueSerializationException(
					"Could not write a value of type " + value.getClass().getName() + " as JSON: " + ex.getMessage(),
					ex);
		}
	}

	@Override
	public Object deserialize(byte[] bytes) {
		try {
			return this.json.read(bytes);
		}
		catch (InvalidClassException ex) {
			throw new CacheValueSerializationException(
					"Stored JSON names a class outside the allow-list: " + ex.getMessage(), ex);
		}
		catch (ClassNotFoundException | RuntimeException ex) {
			throw new CacheValueSerializationException(
					"Stored JSON could not be read (not JSON of this format, or the class changed): " + ex.getMessage(),
					ex);
		}
		catch (OutOfMemoryError | StackOverflowError ex) {
			// Bytes from memcached are untrusted: whatever they make the reader
			// exhaust is released once we unwind here.
			throw new CacheValueSerializationException("Stored JSON exhausted the reader: " + ex, ex);
		}
	}

	@Override
	public String toString() {
		return "JsonCacheValueSerializer" + getAllowedPackages();
	}

}
