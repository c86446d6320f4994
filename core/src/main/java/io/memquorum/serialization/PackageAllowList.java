package io.memquorum.serialization;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * JDK serialization that reads back only classes from an allow-list of packages. Bytes in
 * memcached can be written by anyone who reaches its port, so every class outside the
 * list is rejected by an {@link ObjectInputFilter} before it is initialised, which rules
 * out deserialization gadgets from libraries on the class path. The cache and the session
 * store both read through this class.
 * <p>
 * A package {@code com.example} allows the classes of {@code com.example} and of all its
 * sub-packages; {@code com.example.*} means the same. Arrays are judged by their element
 * type; primitive arrays are allowed. Streams nested deeper than {@value #MAX_DEPTH}
 * levels or holding more than {@value #MAX_REFERENCES} objects are rejected.
 */
public final class PackageAllowList {

	private static final long MAX_DEPTH = 64;

	private static final long MAX_REFERENCES = 1_000_000;

	private static final Pattern PACKAGE = Pattern
		.compile("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*"
				+ "(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*");

	private final List<String> packages;

	private final @Nullable ClassLoader classLoader;

	private final ObjectInputFilter filter = this::check;

	/**
	 * Create an allow-list.
	 * @param alwaysAllowed packages the caller always allows, trusted as given
	 * @param configured packages from configuration, checked to be package names
	 * @param classLoader the class loader to resolve classes with, or {@code null} for
	 * the thread context class loader
	 * @throws IllegalArgumentException naming the entry that is not a package name
	 */
	public PackageAllowList(Collection<String> alwaysAllowed, Collection<String> configured,
			@Nullable ClassLoader classLoader) {
		List<String> packages = new ArrayList<>(alwaysAllowed);
		for (String entry : configured) {
			String name = entry.trim();
			if (name.endsWith(".**")) {
				name = name.substring(0, name.length() - 3);
			}
			else if (name.endsWith(".*")) {
				name = name.substring(0, name.length() - 2);
			}
			if (!PACKAGE.matcher(name).matches()) {
				throw new IllegalArgumentException(
						"'" + entry + "' is not a Java package name such as com.example.web");
			}
			if (!packages.contains(name)) {
				packages.add(name);
			}
		}
		this.packages = List.copyOf(packages);
		this.classLoader = classLoader;
	}

	/**
	 * The allowed packages, in the order given.
	 * @return the packages; each allows its sub-packages too
	 */
	public List<String> packages() {
		return this.packages;
	}

	/**
	 * Whether a class may be read back.
	 * @param className a fully qualified class name
	 * @return whether its package, or a parent package, is allowed
	 */
	public boolean allows(String className) {
		for (String allowed : this.packages) {
			if (className.startsWith(allowed) && className.length() > allowed.length()
					&& className.charAt(allowed.length()) == '.') {
				return true;
			}
		}
		return false;
	}

	/**
	 * Serialize a value with JDK serialization.
	 * @param value a {@link java.io.Serializable} value
	 * @return its bytes
	 * @throws IOException when the value, or something it holds, is not serializable
	 */
	public static byte[] write(Object value) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		return bytes.toByteArray();
	}

	/**
	 * Read a value back, rejecting any class outside the allow-list.
	 * @param bytes what {@link #write(Object)} produced
	 * @return the value
	 * @throws java.io.InvalidClassException when a class is not allowed, or changed since
	 * the bytes were written
	 * @throws IOException when the bytes are not a serialized object
	 * @throws ClassNotFoundException when a class no longer exists
	 */
	public Object read(byte[] bytes) throws IOException, ClassNotFoundException {
		try (ObjectInputStream in = new FilteredInputStream(new ByteArrayInputStream(bytes))) {
			return in.readObject();
		}
	}

	private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info) {
		if (info.depth() > MAX_DEPTH || info.references() > MAX_REFERENCES) {
			return ObjectInputFilter.Status.REJECTED;
		}
		Class<?> type = info.serialClass();
		if (type == null) {
			return ObjectInputFilter.Status.UNDECIDED;
		}
		while (type.isArray()) {
			type = type.getComponentType();
		}
		return (type.isPrimitive() || allows(type.getName())) ? ObjectInputFilter.Status.ALLOWED
				: ObjectInputFilter.Status.REJECTED;
	}

	@Override
	public String toString() {
		return "PackageAllowList" + this.packages;
	}

	private final class FilteredInputStream extends ObjectInputStream {

		FilteredInputStream(InputStream in) throws IOException {
			super(in);
			setObjectInputFilter(PackageAllowList.this.filter);
		}

		@Override
		protected Class<?> resolveClass(ObjectStreamClass descriptor) throws IOException, ClassNotFoundException {
			ClassLoader loader = (PackageAllowList.this.classLoader != null) ? PackageAllowList.this.classLoader
					: Thread.currentThread().getContextClassLoader();
			if (loader == null) {
				return super.resolveClass(descriptor);
			}
			try {
				return Class.forName(descriptor.getName(), false, loader);
			}
			catch (ClassNotFoundException ex) {
				return super.resolveClass(descriptor);
			}
		}

	}

}
