package io.memquorum.session;

import java.io.InvalidClassException;
import java.util.Collection;
import java.util.List;

import io.memquorum.serialization.PackageAllowList;
import io.memquorum.serialization.TypedJson;
import org.jspecify.annotations.Nullable;

/**
 * Session attributes as JSON (Jackson 3), readable by a person looking at memcached. The
 * same packages as {@link JdkSessionAttributeSerializer} are allowed, checked by name
 * before any class is loaded ({@link TypedJson}).
 * <p>
 * When Spring Security is on the class path, its Jackson modules
 * ({@code SecurityJacksonModules}) are registered, so what Spring Security keeps in a
 * session (the security context, saved request, CSRF token and the like) is written and
 * read through Spring Security's own mix-ins, and the type validator allows both its
 * classes and the allow-list. Application classes in a session need a shape Jackson can
 * read back; one that changed shape since it was written makes the session unreadable, so
 * the user gets a new session, as with any failure while reading.
 */
public final class JsonSessionAttributeSerializer implements SessionAttributeSerializer {

	private static final String SECURITY_MODULES = "org.springframework.security.jackson.SecurityJacksonModules";

	private final PackageAllowList allowList;

	private final TypedJson json;

	/**
	 * Allow the default packages only.
	 */
	public JsonSessionAttributeSerializer() {
		this(List.of(), null);
	}

	/**
	 * Allow the default packages and {@code allowedPackages}.
	 * @param allowedPackages further packages, for example {@code com.example.web}; each
	 * allows its sub-packages too
	 * @param classLoader the class loader to resolve classes with, or {@code null} for
	 * the thread's context class loader
	 */
	public JsonSessionAttributeSerializer(Collection<String> allowedPackages, @Nullable ClassLoader classLoader) {
		this.allowList = new PackageAllowList(JdkSessionAttributeSerializer.DEFAULT_ALLOWED_PACKAGES, allowedPackages,
				classLoader);
		ClassLoader loader = (classLoader != null) ? classLoader
				: JsonSessionAttributeSerializer.class.getClassLoader();
		this.json = isPresent(SECURITY_MODULES, loader)
				? new TypedJson(this.allowList, classLoader, (types) -> SpringSecurityJackson.modules(loader, types))
				: new TypedJson(this.allowList, classLoader);
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
			return this.json.write(value);
		}
		catch (RuntimeException ex) {
			throw new SessionSerializationException("Session attribute of type " + value.getClass().getName()
					+ " cannot be written as JSON: " + ex.getMessage(), ex);
		}
	}

	@Override
	public Object deserialize(byte[] bytes) {
		try {
			return this.json.read(bytes);
		}
		catch (InvalidClassException ex) {
			throw new SessionSerializationException("Session attribute class is not allowed: " + ex.getMessage(), ex);
		}
		catch (ClassNotFoundException | RuntimeException ex) {
			throw new SessionSerializationException("Session attribute cannot be read from JSON: " + ex.getMessage(),
					ex);
		}
		catch (OutOfMemoryError | StackOverflowError ex) {
			throw new SessionSerializationException("Session attribute exhausted the reader: " + ex, ex);
		}
	}

	private static boolean isPresent(String className, ClassLoader loader) {
		try {
			Class.forName(className, false, loader);
			return true;
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return false;
		}
	}

	@Override
	public String toString() {
		return "JsonSessionAttributeSerializer" + getAllowedPackages();
	}

}
