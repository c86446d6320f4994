package io.memquorum.serialization;

import java.io.InvalidClassException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class PackageAllowListTests {

	private final PackageAllowList jdkOnly = new PackageAllowList(PackageAllowList.JDK_VALUE_TYPES, List.of(), null);

	@Test
	void everydayJdkValuesRoundTrip() throws Exception {
		Map<String, Object> value = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		value.put("list", new ArrayList<>(List.of(1, 2L, "three", new java.math.BigDecimal("4.5"))));
		value.put("when", Instant.ofEpochSecond(1_700_000_000));
		value.put("ttl", Duration.ofMinutes(5));
		value.put("uri", URI.create("https://example.com/x"));
		value.put("bytes", new byte[] { 1, 2, 3 });
		value.put("set", new HashSet<>(Set.of("a", "b")));
		assertThat(this.jdkOnly.read(PackageAllowList.write(value))).usingRecursiveComparison().isEqualTo(value);
	}

	@Test
	void aHugeLongArrayIsRejectedBeforeItIsAllocated() {
		assertThatExceptionOfType(InvalidClassException.class)
			.isThrownBy(() -> this.jdkOnly.read(HostileStreams.hugeLongArray()))
			.withMessageContaining("REJECTED");
	}

	@Test
	void nestedHashSetsAreRejectedByDepthWithinASecond() {
		byte[] bytes = HostileStreams.nestedHashSets();
		assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThatExceptionOfType(InvalidClassException.class)
			.isThrownBy(() -> this.jdkOnly.read(bytes)));
	}

	@Test
	void aRemoteObjectInvocationHandlerIsRejectedEvenWhenAllOfJavaIsAllowed() {
		PackageAllowList everythingJava = new PackageAllowList(List.of("java", "io.memquorum"), List.of(), null);
		assertThatExceptionOfType(InvalidClassException.class)
			.isThrownBy(() -> everythingJava.read(HostileStreams.remoteObjectInvocationHandler()));
		assertThat(everythingJava.allows("java.rmi.server.RemoteObjectInvocationHandler")).isFalse();
		assertThat(everythingJava.allows("javax.management.BadAttributeValueExpException")).isFalse();
		assertThat(everythingJava.allows("java.lang.reflect.Proxy")).isFalse();
		assertThat(everythingJava.allows("java.net.URL")).isFalse();
		assertThat(everythingJava.allows("java.util.HashMap")).isTrue();
	}

	@Test
	void anEntryNamingOneClassAllowsThatClassOnly() {
		PackageAllowList list = new PackageAllowList(List.of("java.net.URL"), List.of(), null);
		assertThat(list.allows("java.net.URL")).isTrue();
		assertThat(list.allows("java.net.URLConnection")).isFalse();
		assertThat(list.allows("java.net.InetAddress")).isFalse();
	}

	@Test
	void theDefaultJdkTypesLeaveOutTheRestOfJava() {
		assertThat(this.jdkOnly.allows("java.util.concurrent.ConcurrentHashMap")).isTrue();
		assertThat(this.jdkOnly.allows("java.io.File")).isFalse();
		assertThat(this.jdkOnly.allows("java.security.SignedObject")).isFalse();
		assertThat(this.jdkOnly.allows("java.lang.invoke.SerializedLambda")).isFalse();
	}

	@Test
	void aDeepButHonestStructureWithinTheDepthLimitIsRead() throws Exception {
		List<Object> outer = new ArrayList<>();
		List<Object> current = outer;
		for (int i = 0; i < 10; i++) {
			List<Object> inner = new ArrayList<>();
			current.add(inner);
			current = inner;
		}
		current.add(new HashMap<>(Map.of("leaf", 1)));
		assertThat(this.jdkOnly.read(PackageAllowList.write(outer))).isEqualTo(outer);
	}

}
