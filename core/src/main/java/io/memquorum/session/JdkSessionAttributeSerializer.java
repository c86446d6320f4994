package io.memquorum.session;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * JDK serialization behind an allow-list {@link ObjectInputFilter}: only classes in
 * {@code java.*}, {@code org.springframework.security.*},
 * {@code org.springframework.session.*} and the configured packages (and their
 * sub-packages) may be deserialized; arrays are judged by their component type. Anything
 * else is rejected before its class is initialised.
 */
public final class JdkSessionAttributeSerializer implements SessionAttributeSerializer {

	/** The packages that are always allowed. */
	public static final List<String> DEFAULT_ALLOWED_PACKAGES = List.of("java", "org.springframework.security",
			"org.springframework.session");

	private static final Pattern PACKAGE = Pattern
		.compile("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*"
				+ "(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*");

	private static final int MAX_DEPTH = 64;

	private final Set<String> allowedPackages;

	private final @Nullable ClassLoader classLoader;

	private final ObjectInputFilter filter = this::check;

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
		Set<String> packages = new LinkedHashSet<>(DEFAULT_ALLOWED_PACKAGES);
		for (String allowed : allowedPackages) {
			String name = allowed.trim();
			if (name.endsWith(".*") || name.endsWith(".**")) {
				name = name.substring(0, name.indexOf(".*"));
			}
			if (!PACKAGE.matcher(name).matches()) {
				throw new IllegalArgumentException(
						"Allowed package '" + allowed + "' is not a Java package name such as com.example.web");
			}
			packages.add(name);
		}
		this.allowedPackages = Set.copyOf(packages);
		this.classLoader = classLoader;
	}

	/**
	 * The packages whose classes may be deserialized.
	 * @return the packages, sub-packages included
	 */
	public List<String> getAllowedPackages() {
		return new ArrayList<>(this.allowedPackages).stream().sorted().toList();
	}

	@Override
	public byte[] serialize(Object value) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		catch (IOException ex) {
			throw new SessionSerializationException(
					"Session attribute of type " + value.getClass().getName() + " is not serializable: " + ex, ex);
		}
		return bytes.toByteArray();
	}

	@Override
	public Object deserialize(byte[] bytes) {
		try (ObjectInputStream in = new FilteredObjectInputStream(new ByteArrayInputStream(bytes))) {
			return in.readObject();
		}
		catch (InvalidClassException ex) {
			throw new SessionSerializationException("Session attribute class is not allowed or has changed: " + ex, ex);
		}
		catch (IOException | ClassNotFoundException | RuntimeException ex) {
			throw new SessionSerializationException("Session attribute cannot be deserialized: " + ex, ex);
		}
	}

	private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info) {
		if (info.depth() > MAX_DEPTH) {
			return ObjectInputFilter.Status.REJECTED;
		}
		Class<?> type = info.serialClass();
		if (type == null) {
			return ObjectInputFilter.Status.UNDECIDED;
		}
		while (type.isArray()) {
			type = type.getComponentType();
		}
		if (type.isPrimitive()) {
			return ObjectInputFilter.Status.ALLOWED;
		}
		return isAllowed(type.getName()) ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
	}

	boolean isAllowed(String className) {
		for (String allowed : this.allowedPackages) {
			if (className.startsWith(allowed) && className.length() > allowed.length()
					&& className.charAt(allowed.length()) == '.') {
				return true;
			}
		}
		return false;
	}

	@Override
	public String toString() {
		return "JdkSessionAttributeSerializer" + getAllowedPackages();
	}

	private final class FilteredObjectInputStream extends ObjectInputStream {

		FilteredObjectInputStream(InputStream in) throws IOException {
			super(in);
			setObjectInputFilter(JdkSessionAttributeSerializer.this.filter);
		}

		@Override
		protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
			ClassLoader loader = JdkSessionAttributeSerializer.this.classLoader;
			if (loader == null) {
				loader = Thread.currentThread().getContextClassLoader();
			}
			if (loader == null) {
				return super.resolveClass(desc);
			}
			try {
				return Class.forName(desc.getName(), false, loader);
			}
			catch (ClassNotFoundException ex) {
				return super.resolveClass(desc);
			}
		}

	}

}
