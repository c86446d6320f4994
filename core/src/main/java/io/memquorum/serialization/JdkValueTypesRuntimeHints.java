package io.memquorum.serialization;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * JDK serialization of the JDK value types that {@link PackageAllowList#JDK_VALUE_TYPES}
 * always allows, for an ahead-of-time compiled (native) application, where every class in
 * a serialized stream must be registered. Strings, boxed numbers, {@code java.math}, the
 * {@code java.time} types (written through their shared {@code java.time.Ser} form), the
 * usual collections of {@code java.util} (the immutable ones of {@code List.of},
 * {@code Set.of} and {@code Map.of} through {@code java.util.CollSer}) and
 * {@code java.net.URI}: the cache's and the session store's JDK serializers read and
 * write them for the application. Each is also registered for lookup by name, which both
 * the JDK and the JSON serializers do before reading a value.
 * <p>
 * The application's own classes are the application's to register (for example with
 * {@code @RegisterReflectionForBinding} or {@code @Reflective}); Spring Session registers
 * the classes of a signed-in Spring Security session.
 */
class JdkValueTypesRuntimeHints implements RuntimeHintsRegistrar {

	static final List<String> TYPES = List.of(
			// java.lang (Number and Enum are in the stream of every subclass)
			"java.lang.String", "java.lang.Boolean", "java.lang.Character", "java.lang.Number", "java.lang.Byte",
			"java.lang.Short", "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double",
			"java.lang.Enum",
			// java.math
			"java.math.BigInteger", "java.math.BigDecimal",
			// java.time: every type writes itself as a java.time.Ser
			"java.time.Ser", "java.time.Duration", "java.time.Instant", "java.time.LocalDate",
			"java.time.LocalDateTime", "java.time.LocalTime", "java.time.OffsetDateTime", "java.time.OffsetTime",
			"java.time.ZonedDateTime", "java.time.ZoneOffset", "java.time.ZoneRegion", "java.time.Period",
			"java.time.Year", "java.time.YearMonth", "java.time.MonthDay", "java.time.DayOfWeek", "java.time.Month",
			// java.util
			"java.util.ArrayList", "java.util.LinkedList", "java.util.ArrayDeque", "java.util.HashMap",
			"java.util.LinkedHashMap", "java.util.TreeMap", "java.util.HashSet", "java.util.LinkedHashSet",
			"java.util.TreeSet", "java.util.EnumMap", "java.util.Arrays$ArrayList", "java.util.CollSer",
			"java.util.ImmutableCollections$List12", "java.util.ImmutableCollections$ListN",
			"java.util.ImmutableCollections$Set12", "java.util.ImmutableCollections$SetN",
			"java.util.ImmutableCollections$Map1", "java.util.ImmutableCollections$MapN",
			"java.util.Collections$EmptyList", "java.util.Collections$EmptySet", "java.util.Collections$EmptyMap",
			"java.util.Collections$SingletonList", "java.util.Collections$SingletonSet",
			"java.util.Collections$SingletonMap", "java.util.Collections$UnmodifiableCollection",
			"java.util.Collections$UnmodifiableList", "java.util.Collections$UnmodifiableRandomAccessList",
			"java.util.Collections$UnmodifiableSet", "java.util.Collections$UnmodifiableSortedSet",
			"java.util.Collections$UnmodifiableMap", "java.util.Collections$UnmodifiableSortedMap", "java.util.UUID",
			"java.util.Date", "java.util.Locale", "java.util.Currency", "java.util.BitSet",
			// java.net
			"java.net.URI");

	/**
	 * Arrays, also those backing {@code Arrays.asList} of strings and boxed numbers (an
	 * array of any other element type is the application's to register).
	 */
	static final List<Class<?>> ARRAYS = List.of(Object[].class, String[].class, Integer[].class, Long[].class,
			Double[].class, byte[].class, int[].class, long[].class, double[].class);

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		for (String name : TYPES) {
			register(hints, TypeReference.of(name));
		}
		for (Class<?> array : ARRAYS) {
			register(hints, TypeReference.of(array));
		}
	}

	private static void register(RuntimeHints hints, TypeReference type) {
		hints.serialization().registerType(type);
		hints.reflection().registerType(type);
	}

}
