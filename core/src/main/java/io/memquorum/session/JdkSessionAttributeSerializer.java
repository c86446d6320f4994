package io.memquorum.session;

import java.io.IOException;
import java.io.InvalidClassException;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

import io.memquorum.serialization.PackageAllowList;
import org.jspecify.annotations.Nullable;

/**
 * JDK serialization behind an allow-list ({@link PackageAllowList}): only the JDK's value
 * types ({@link PackageAllowList#JDK_VALUE_TYPES}), {@code java.net.URL} (Spring Security
 * keeps an OpenID Connect issuer as one), {@code org.springframework.security.*},
 * {@code org.springframework.session.*} and the configured packages (and their
 * sub-packages) may be deserialized; arrays are judged by their component type. Anything
 * else is rejected before its class is initialised. Any failure while reading, an
 * {@link OutOfMemoryError} or {@link StackOverflowError} included, is a
 * {@link SessionSerializationException}: the session reads as absent.
 */
public final class JdkSessionAttributeSerializer implements SessionAttributeSerializer {

	/** The packages that are always allowed. */
	public static final List<String> DEFAULT_ALLOWED_PACKAGES = Stream
		.concat(PackageAllowList.JDK_VALUE_TYPES.stream(),
				Stream.of("java.net.URL", "org.springframework.security", "org.springframework.session"))
		.toList();

	private final PackageAllowList allowList;

	/**
	 * Allow the default packages only.
	 */
	public JdkSessionAttributeSerializer() {
		this(List.of(), null);
	}

	/**
	 * Allow the default packages and {@code allowedPackages}.
	 * @param allowedPackages further packages, for example {@code com.example.web}; each
	 * allows its sub-packages too
	 * @param classLoader the class loader to resolve classes with, or {@code null} for
	 * the thread's context class loader
	 */
	public JdkSessionAttributeSerializer(Collection<String> allowedPackages, @Nullable ClassLoader classLoader) {
		this.allowList = new PackageAllowList(DEFAULT_ALLOWED_PACKAGES, allowedPackages, classLoader);
	}

	/**
	 * The packages whose classes may be deserialized.
	 * @return the packages, sub-packages included
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
			throw new SessionSerializationException(
					"Session attribute of type " + value.getClass().getName() + " is not serializable: " + ex, ex);
		}
	}

	@Override
	public Object deserialize(byte[] bytes) {
		try {
			return this.allowList.read(bytes);
		}
		catch (InvalidClassException ex) {
			throw new SessionSerializationException("Session attribute class is not allowed or has changed: " + ex, ex);
		}
		catch (IOException | ClassNotFoundException | RuntimeException ex) {
			throw new SessionSerializationException("Session attribute cannot be deserialized: " + ex, ex);
		}
		catch (OutOfMemoryError | StackOverflowError ex) {
			// Bytes from memcached are untrusted: whatever they make the reader
			// exhaust, the allocation or the stack is released once we unwind here.
			throw new SessionSerializationException("Session attribute exhausted the reader: " + ex, ex);
		}
	}

	boolean isAllowed(String className) {
		return this.allowList.allows(className);
	}

	@Override
	public String toString() {
		return "JdkSessionAttributeSerializer" + getAllowedPackages();
	}

}
