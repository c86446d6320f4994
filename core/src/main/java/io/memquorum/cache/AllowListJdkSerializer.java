package io.memquorum.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * JDK serialization that reads back only classes from an allow-list of packages. Bytes in
 * memcached can be written by anyone who reaches the port, so the reading side rejects
 * every class outside the list before it is instantiated (an {@link ObjectInputFilter}),
 * which rules out deserialization gadgets from libraries on the class path.
 * <p>
 * A package {@code com.example} allows the classes of {@code com.example} and of all its
 * sub-packages. {@code java} (every {@code java.*} class: strings, boxed primitives,
 * collections, {@code java.time}) is always allowed. Arrays are judged by their element
 * type; primitive arrays are allowed. Streams nested deeper than {@value #MAX_DEPTH}
 * levels or holding more than {@value #MAX_REFERENCES} objects are rejected.
 */
public class AllowListJdkSerializer implements CacheValueSerializer {

	private static final long MAX_DEPTH = 64;

	private static final long MAX_REFERENCES = 1_000_000;

	private final List<String> allowedPackages;

	private final @Nullable ClassLoader classLoader;

	private final ObjectInputFilter filter = this::check;

	/**
	 * Create a serializer.
	 * @param allowedPackages packages whose classes (and sub-packages' classes) may be
	 * read back, in addition to {@code java}
	 * @param classLoader the class loader to resolve classes with, or {@code null} for
	 * the thread context class loader
	 */
	public AllowListJdkSerializer(Collection<String> allowedPackages, @Nullable ClassLoader classLoader) {
		List<String> packages = new ArrayList<>();
		packages.add("java");
		for (String allowed : allowedPackages) {
			String trimmed = allowed.trim();
			if (trimmed.endsWith(".*") || trimmed.endsWith(".**")) {
				trimmed = trimmed.substring(0, trimmed.indexOf(".*"));
			}
			if (trimmed.isEmpty() || trimmed.startsWith(".") || trimmed.endsWith(".")) {
				throw new IllegalArgumentException("'" + allowed + "' is not a package name");
			}
			if (!packages.contains(trimmed)) {
				packages.add(trimmed);
			}
		}
		this.allowedPackages = List.copyOf(packages);
		this.classLoader = classLoader;
	}

	public AllowListJdkSerializer(Collection<String> allowedPackages) {
		this(allowedPackages, null);
	}

	/**
	 * The packages whose classes may be read back, {@code java} first.
	 * @return the allowed packages
	 */
	public List<String> getAllowedPackages() {
		return this.allowedPackages;
	}

	@Override
	public byte[] serialize(Object value) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		catch (IOException ex) {
			throw new CacheValueSerializationException("Could not serialize a value of type "
					+ value.getClass().getName() + " (it must implement java.io.Serializable): " + ex, ex);
		}
		return bytes.toByteArray();
	}

	@Override
	public Object deserialize(byte[] bytes) {
		try (ObjectInputStream in = new FilteredInputStream(new ByteArrayInputStream(bytes))) {
			return in.readObject();
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
		if (type.isPrimitive() || isAllowed(type.getName())) {
			return ObjectInputFilter.Status.ALLOWED;
		}
		return ObjectInputFilter.Status.REJECTED;
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
		return "AllowListJdkSerializer" + this.allowedPackages;
	}

	private final class FilteredInputStream extends ObjectInputStream {

		FilteredInputStream(ByteArrayInputStream in) throws IOException {
			super(in);
			setObjectInputFilter(AllowListJdkSerializer.this.filter);
		}

		@Override
		protected Class<?> resolveClass(ObjectStreamClass descriptor) throws IOException, ClassNotFoundException {
			ClassLoader loader = (AllowListJdkSerializer.this.classLoader != null)
					? AllowListJdkSerializer.this.classLoader : Thread.currentThread().getContextClassLoader();
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
