package io.memquorum.cache;

import java.io.IOException;
import java.io.InvalidClassException;
import java.util.Collection;
import java.util.List;

import io.memquorum.serialization.PackageAllowList;
import org.jspecify.annotations.Nullable;

/**
 * JDK serialization that reads back only classes from an allow-list of packages. Bytes in
 * memcached can be written by anyone who reaches the port, so the reading side rejects
 * every class outside the list before it is instantiated (an {@link ObjectInputFilter}),
 * which rules out deserialization gadgets from libraries on the class path
 * ({@link PackageAllowList} says exactly what is allowed).
 * <p>
 * {@link PackageAllowList#JDK_VALUE_TYPES} (strings, boxed primitives, {@code java.math},
 * {@code java.time}, the collections of {@code java.util}, {@code java.net.URI}) are
 * always allowed; the rest of {@code java.*} is not. Any failure while reading, an
 * {@link OutOfMemoryError} or {@link StackOverflowError} included, is a
 * {@link CacheValueSerializationException}, which the cache reads as a miss.
 */
public class AllowListJdkSerializer implements CacheValueSerializer {

	private final PackageAllowList allowList;

	/**
	 * Create a serializer.
	 * @param allowedPackages packages whose classes (and sub-packages' classes) may be
	 * read back, in addition to {@link PackageAllowList#JDK_VALUE_TYPES}
	 * @param classLoader the class loader to resolve classes with, or {@code null} for
	 * the thread context class loader
	 */
	public AllowListJdkSerializer(Collection<String> allowedPackages, @Nullable ClassLoader classLoader) {
		this.allowList = new PackageAllowList(PackageAllowList.JDK_VALUE_TYPES, allowedPackages, classLoader);
	}

	public AllowListJdkSerializer(Collection<String> allowedPackages) {
		this(allowedPackages, null);
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
			return PackageAllowList.write(value);
		}
		catch (IOException ex) {
			throw new CacheValueSerializationException("Could not serialize a value of type "
					+ value.getClass().getName() + " (it must implement java.io.Serializable): " + ex, ex);
		}
	}

	@Override
	public Object deserialize(byte[] bytes) {
		try {
			return this.allowList.read(bytes);
		}
		catch (InvalidClassException ex) {
			throw new CacheValueSerializationException(
					"Stored value does not match its class (rejected by the allow-list, or the class changed): "
							+ ex.getMessage(),
					ex);
		}
		catch (IOException | ClassNotFoundException | RuntimeException ex) {
			throw new CacheValueSerializationException("Stored value could not be read: " + ex, ex);
		}
		catch (OutOfMemoryError | StackOverflowError ex) {
			// Bytes from memcached are untrusted: whatever they make the reader
			// exhaust, the allocation or the stack is released once we unwind here.
			throw new CacheValueSerializationException("Stored value exhausted the reader: " + ex, ex);
		}
	}

	boolean isAllowed(String className) {
		return this.allowList.allows(className);
	}

	@Override
	public String toString() {
		return "AllowListJdkSerializer" + getAllowedPackages();
	}

}
