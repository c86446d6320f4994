package io.memquorum.cache;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.serialization.HostileStreams;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.SigningKeys;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Fault: hostile bytes. Someone who can reach memcached replaces a cached value, on every
 * replica, with a crafted JDK serialization stream; what must hold is that the cache
 * reads it as a miss and loads the value again, within seconds, and counts it.
 */
class HostileCacheEntryTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private ReplicatedMemcached engine;

	@AfterEach
	void close() {
		if (this.engine != null) {
			this.engine.close();
		}
	}

	private MemquorumCache cache(CacheValueSerializer serializer) {
		return cache(serializer, null);
	}

	private MemquorumCache cache(CacheValueSerializer serializer, @Nullable EntrySigner signer) {
		this.engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofSeconds(1))
			.signer(signer)
			.build();
		return new MemquorumCache("prices", this.engine,
				MemquorumCacheConfiguration.defaults().withSerializer(serializer));
	}

	static Stream<Arguments> hostileStreams() {
		return Stream.of(Arguments.of("long[0x7fffffff]", (Supplier<byte[]>) HostileStreams::hugeLongArray),
				Arguments.of("nested hash sets (SerialDOS)", (Supplier<byte[]>) HostileStreams::nestedHashSets),
				Arguments.of("RemoteObjectInvocationHandler proxy",
						(Supplier<byte[]>) HostileStreams::remoteObjectInvocationHandler));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("hostileStreams")
	void aCraftedStreamOnEveryReplicaReadsAsAMissAndTheValueIsLoadedAgain(String shape, Supplier<byte[]> stream) {
		MemquorumCache cache = cache(new AllowListJdkSerializer(List.of("io.memquorum")));
		cache.put("sku-1", "12.50");
		overwriteOnEveryReplica(cache, "sku-1", stream.get());
		AtomicInteger loads = new AtomicInteger();
		Object value = assertTimeoutPreemptively(Duration.ofSeconds(10),
				() -> cache.get("sku-1", () -> "loaded " + loads.incrementAndGet()));
		assertThat(value).isEqualTo("loaded 1");
		assertThat(cache.getStatistics().unreadable()).isPositive();
		assertThat(cache.get("sku-1", String.class)).as("the loaded value replaced the crafted one")
			.isEqualTo("loaded 1");
	}

	@Test
	void aSerializerThatRunsOutOfMemoryWhileReadingGivesAMissNotAnError() {
		MemquorumCache cache = cache(new CacheValueSerializer() {

			@Override
			public byte[] serialize(Object value) {
				return new byte[] { 1 };
			}

			@Override
			public Object deserialize(byte[] bytes) {
				throw new OutOfMemoryError("Requested array size exceeds VM limit");
			}

		});
		cache.put("sku-2", "7.00");
		assertThat(cache.get("sku-2")).isNull();
		assertThat(cache.get("sku-2", () -> "loaded")).isEqualTo("loaded");
	}

	@Test
	void withSigningKeysAnEntryForgedWithoutTheKeyIsAMissAndTheValueIsLoadedAgain() {
		EntrySigner signer = new EntrySigner(SigningKeys.of(List.of(Base64.getEncoder().encodeToString(new byte[32]))));
		MemquorumCache cache = cache(new AllowListJdkSerializer(List.of("io.memquorum")), signer);
		cache.put("price", "12.50");
		String storageKey = cache.storageKey("price");
		// A put returns at quorum: wait for the third replica before overwriting them
		// all.
		await().untilAsserted(
				() -> memcached.cluster().nodes().forEach((node) -> assertThat(node.rawGet(storageKey)).isNotNull()));
		StoredEntry current = StoredEntry.decode(this.engine.get(storageKey));
		byte[] forged = Envelope
			.value(Long.MAX_VALUE / 2, 0,
					new StoredEntry(current.generation(), new AllowListJdkSerializer(List.of()).serialize("0.01"))
						.encode())
			.encode();
		for (MemcachedNode node : memcached.cluster().nodes()) {
			node.rawSet(storageKey, forged, Envelope.FLAGS, 0);
		}
		assertThat(cache.get("price", () -> "12.50 (loaded)")).isEqualTo("12.50 (loaded)");
	}

	/**
	 * Writes with plain text-protocol {@code set}s, bypassing memquorum: a valid envelope
	 * (no signing key is configured here) around a cache entry of the current generation
	 * whose payload is the crafted stream.
	 */
	private void overwriteOnEveryReplica(MemquorumCache cache, String key, byte[] stream) {
		String storageKey = cache.storageKey(key);
		// A put returns at quorum: wait for the third replica before overwriting them
		// all.
		await().untilAsserted(
				() -> memcached.cluster().nodes().forEach((node) -> assertThat(node.rawGet(storageKey)).isNotNull()));
		StoredEntry current = StoredEntry.decode(this.engine.get(storageKey));
		byte[] entry = new StoredEntry(current.generation(), stream).encode();
		byte[] envelope = Envelope.value(Long.MAX_VALUE / 2, 0, entry).encode();
		for (MemcachedNode node : memcached.cluster().nodes()) {
			node.rawSet(storageKey, envelope, Envelope.FLAGS, 0);
		}
	}

}
