package io.memquorum.serialization;

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
 * sub-packages; {@code com.example.*} means the same. An entry may also name one class,
 * such as {@code java.net.URI}. Arrays are judged by their element type; primitive arrays
 * are allowed.
 * <p>
 * The shape of the stream is limited as well, so that bytes crafted to exhaust the reader
 * fail before they cost anything:
 * <ul>
 * <li>no array longer than {@value #ARRAY_LENGTH_PER_BYTE} elements per byte of input
 * (every element takes at least a byte, up to a few bits for {@code boolean[]} and
 * collection capacities): a stored {@code long[0x7fffffff]} of a few dozen bytes would
 * otherwise make the JDK allocate 16 GB before reading a single element;</li>
 * <li>nesting at most {@value #MAX_DEPTH} levels deep: nested sets whose hash codes call
 * each other (the "SerialDOS" shape) cost twice as much per level, so depth is what
 * bounds the time spent;</li>
 * <li>at most {@value #MAX_REFERENCES} objects and {@value #MAX_STREAM_BYTES} bytes.</li>
 * </ul>
 * Packages whose classes can reach outside the process or into the JVM (remote objects,
 * JMX, naming, reflection, method handles, {@code java.net}, {@code java.beans}) are
 * never allowed by a package entry, even one that contains them such as {@code java};
 * only an entry naming the class itself allows such a class.
 */
public final class PackageAllowList {

	/**
	 * The JDK classes a stored value usually holds: strings, boxed numbers and enums,
	 * {@code java.math}, {@code java.time}, the collections of {@code java.util} and its
	 * sub-packages, and {@code java.net.URI}.
	 */
	public static final List<String> JDK_VALUE_TYPES = List.of("java.lang", "java.math", "java.time", "java.util",
			"java.net.URI");

	/**
	 * Packages no package entry allows: their classes open connections, look names up,
	 * call methods reflectively or manage the JVM when deserialized or used as keys.
	 */
	public static final List<String> NEVER_BY_PACKAGE = List.of("java.lang.invoke", "java.lang.reflect",
			"java.lang.ref", "java.lang.management", "java.lang.instrument", "java.lang.module", "java.rmi", "java.net",
			"java.beans", "java.security", "java.io", "java.nio", "java.sql", "javax.management", "javax.naming",
			"javax.script", "javax.rmi", "sun", "jdk", "com.sun");

	static final long MAX_DEPTH = 24;

	static final long MAX_REFERENCES = 100_000;

	static final long MAX_STREAM_BYTES = 64L * 1024 * 1024;

	static final long ARRAY_LENGTH_PER_BYTE = 8;

	/** Short streams may still hold collections with some spare capacity. */
	private static final long MIN_ARRAY_LENGTH = 1024;

	private static final Pattern PACKAGE = Pattern
		.compile("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*"
				+ "(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*");

	private final List<String> packages;

	private final @Nullable ClassLoader classLoader;

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
		if (this.packages.contains(className)) {
			return true;
		}
		for (String never : NEVER_BY_PACKAGE) {
			if (isIn(className, never)) {
				return false;
			}
		}
		for (String allowed : this.packages) {
			if (isIn(className, allowed)) {
				return true;
			}
		}
		return false;
	}

	private static boolean isIn(String className, String packageName) {
		return className.startsWith(packageName) && className.length() > packageName.length()
				&& className.charAt(packageName.length()) == '.';
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
		if (bytes.length > MAX_STREAM_BYTES) {
			throw new InvalidClassException(null,
					"stream of " + bytes.length + " bytes is over the limit of " + MAX_STREAM_BYTES);
		}
		long maxArrayLength = Math.max(MIN_ARRAY_LENGTH, bytes.length * ARRAY_LENGTH_PER_BYTE);
		try (ObjectInputStream in = new FilteredInputStream(new ByteArrayInputStream(bytes), maxArrayLength)) {
			return in.readObject();
		}
	}

	private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info, long maxArrayLength) {
		if (info.depth() > MAX_DEPTH || info.references() > MAX_REFERENCES || info.streamBytes() > MAX_STREAM_BYTES
				|| info.arrayLength() > maxArrayLength) {
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

		FilteredInputStream(InputStream in, long maxArrayLength) throws IOException {
			super(in);
			setObjectInputFilter((info) -> check(info, maxArrayLength));
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
