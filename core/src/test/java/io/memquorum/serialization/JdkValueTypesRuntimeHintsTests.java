package io.memquorum.serialization;

import java.io.ByteArrayInputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every class in the JDK serialization stream of the JDK value types the allow-list
 * always allows is registered for serialization and for lookup by name.
 */
class JdkValueTypesRuntimeHintsTests {

	private final RuntimeHints hints = new RuntimeHints();

	JdkValueTypesRuntimeHintsTests() {
		new JdkValueTypesRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
	}

	@Test
	void everyClassInTheStreamOfTypicalValuesIsRegistered() throws Exception {
		List<Object> values = List.of("text", 1, 2L, 3.0d, 4.0f, (short) 5, (byte) 6, 'c', true, new BigDecimal("1.50"),
				BigInteger.TEN, Duration.ofSeconds(3), Instant.EPOCH, LocalDate.of(2026, 12, 7),
				LocalDateTime.of(2026, 12, 7, 23, 40), OffsetDateTime.of(2026, 12, 7, 23, 40, 0, 0, ZoneOffset.UTC),
				ZonedDateTime.of(2026, 12, 7, 23, 40, 0, 0, ZoneId.of("Europe/Paris")), DayOfWeek.MONDAY,
				new ArrayList<>(List.of(1, 2)), new HashMap<>(Map.of("a", 1)), new LinkedHashMap<>(Map.of("a", 1)),
				new TreeMap<>(Map.of("a", 1)), new LinkedHashSet<>(Set.of("a")), new TreeSet<>(Set.of("a")), List.of(),
				List.of(1), List.of(1, 2, 3), Set.of("a"), Set.of("a", "b", "c"), Map.of("a", 1),
				Map.of("a", 1, "b", 2), Arrays.asList(1, 2), Collections.emptyList(), Collections.emptyMap(),
				Collections.singletonList(1), Collections.unmodifiableList(new ArrayList<>(List.of(1))),
				Collections.unmodifiableMap(new HashMap<>(Map.of("a", 1))), UUID.randomUUID(), new Date(0),
				Locale.FRANCE, URI.create("https://example.com/"), new String[] { "a" }, new byte[] { 1 },
				new long[] { 1 });
		for (Object value : values) {
			for (Class<?> type : classesInTheStreamOf((Serializable) value)) {
				assertThat(RuntimeHintsPredicates.serialization().onType(type))
					.as("serialization of %s (in the stream of %s)", type.getName(), value.getClass().getName())
					.accepts(this.hints);
				assertThat(RuntimeHintsPredicates.reflection().onType(type))
					.as("lookup of %s (in the stream of %s)", type.getName(), value.getClass().getName())
					.accepts(this.hints);
			}
		}
	}

	@Test
	void everyRegisteredNameIsASerializableClassOfTheAllowedPackages() throws Exception {
		PackageAllowList jdkValueTypes = new PackageAllowList(PackageAllowList.JDK_VALUE_TYPES, List.of(), null);
		for (String name : JdkValueTypesRuntimeHints.TYPES) {
			Class<?> type = Class.forName(name, false, getClass().getClassLoader());
			assertThat(type).as(name).isAssignableTo(Serializable.class);
			assertThat(jdkValueTypes.allows(name)).as("%s allowed", name).isTrue();
			assertThat(RuntimeHintsPredicates.serialization().onType(TypeReference.of(name))).accepts(this.hints);
		}
	}

	private static Set<Class<?>> classesInTheStreamOf(Serializable value) throws Exception {
		Set<Class<?>> classes = new LinkedHashSet<>();
		try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(PackageAllowList.write(value)))) {
			in.setObjectInputFilter((info) -> {
				// A class descriptor in the stream; calls with an array length are a
				// readObject method checking an array it allocates (HashMap's
				// Map.Entry[]), not a class in the stream.
				if (info.serialClass() != null && info.arrayLength() < 0) {
					classes.add(info.serialClass());
				}
				return ObjectInputFilter.Status.UNDECIDED;
			});
			in.readObject();
		}
		return classes;
	}

}
