package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

class KeyRoundTripTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@Test
	void tenThousandRandomKeysRoundTripIncludingUnicodeSpacesControlCharactersAndLongKeys() {
		Set<String> keys = new LinkedHashSet<>();
		Random random = new Random(20261121);
		while (keys.size() < 10_000) {
			keys.add(randomKey(random, keys.size()));
		}
		try (ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.keyPrefix("rt:")
			// A test of keys, not of timing: a loaded machine must not decide it.
			.operationTimeout(Duration.ofSeconds(2))
			.build()) {
			List<String> all = new ArrayList<>(keys);
			// Pipelined in bounded batches: this test is about keys, not about surviving
			// a flood.
			for (int from = 0; from < all.size(); from += 200) {
				List<java.util.concurrent.CompletableFuture<Void>> writes = new ArrayList<>();
				for (String key : all.subList(from, Math.min(all.size(), from + 200))) {
					writes.add(engine.setAsync(key, key.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5)));
				}
				writes.forEach(java.util.concurrent.CompletableFuture::join);
			}
			for (int from = 0; from < all.size(); from += 500) {
				List<String> batch = all.subList(from, Math.min(all.size(), from + 500));
				Map<String, byte[]> found = engine.getAll(batch);
				assertThat(found).hasSize(batch.size());
				found.forEach((key, value) -> assertThat(new String(value, StandardCharsets.UTF_8)).isEqualTo(key));
			}
			for (String key : all.subList(0, 300)) {
				assertThat(engine.get(key)).isEqualTo(key.getBytes(StandardCharsets.UTF_8));
			}
		}
	}

	private static String randomKey(Random random, int index) {
		StringBuilder key = new StringBuilder();
		int kind = index % 5;
		int length = switch (kind) {
			case 0 -> 1 + random.nextInt(40);
			case 1 -> 1024;
			default -> 1 + random.nextInt(300);
		};
		for (int i = 0; i < length; i++) {
			key.append(switch (kind) {
				case 0 -> (char) (0x21 + random.nextInt(0x5E));
				case 2 -> (char) (0x00 + random.nextInt(0x40));
				case 3 -> Character.toChars(0x00A0 + random.nextInt(0x2000))[0];
				default -> (char) (0x20 + random.nextInt(0x60));
			});
		}
		if (kind == 4) {
			key.append(new String(Character.toChars(0x1F600 + random.nextInt(50))));
		}
		return key.toString();
	}

}
