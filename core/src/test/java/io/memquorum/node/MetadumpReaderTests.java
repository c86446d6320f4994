package io.memquorum.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.memquorum.test.MemcachedCluster;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.MemcachedOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Listing a node's keys with {@code lru_crawler metadump}: against real memcached, and
 * against a fake node that answers hostile bytes.
 */
class MetadumpReaderTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(1);

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	@Test
	void listsEveryKeyOfARealNodeWithItsExpiryAndDecodesPercentEncodedKeys() throws Exception {
		MemcachedNode node = memcached.cluster().node(0);
		node.flushAll();
		for (int i = 0; i < 500; i++) {
			node.rawSet("dump:" + i, bytes("value"), 0, 0);
		}
		node.rawSet("dump:100%-sure", bytes("value"), 0, 600);
		long nowSeconds = System.currentTimeMillis() / 1000;
		Map<String, DumpedKey> listed = new HashMap<>();
		long count = reader(node).read((key) -> listed.put(key.key(), key) == null || true);
		assertThat(count).isEqualTo(501);
		assertThat(listed).hasSize(501).containsKey("dump:0").containsKey("dump:499");
		assertThat(listed.get("dump:0").isPermanent()).isTrue();
		DumpedKey expiring = listed.get("dump:100%-sure");
		assertThat(expiring).isNotNull();
		assertThat(expiring.isPermanent()).isFalse();
		// memcached's clock ticks in whole seconds and may lag the wall clock by one.
		assertThat(expiring.expiresAtSeconds()).isBetween(nowSeconds + 595, nowSeconds + 605);
		assertThat(expiring.size()).isPositive();
	}

	@Test
	void theSinkCanStopTheListingEarly() throws Exception {
		MemcachedNode node = memcached.cluster().node(0);
		for (int i = 0; i < 50; i++) {
			node.rawSet("early:" + i, bytes("value"), 0, 0);
		}
		List<String> seen = new ArrayList<>();
		long count = reader(node).read((key) -> seen.add(key.key()) && seen.size() < 10);
		assertThat(count).isEqualTo(10);
		assertThat(seen).hasSize(10);
	}

	@Test
	void aNodeStartedWithoutItsCrawlerDeclinesWithAClearCrawlerDisabledError() {
		try (MemcachedCluster noCrawler = MemcachedCluster.start(1,
				MemcachedOptions.defaults().withExtraArguments("-o", "no_lru_crawler"))) {
			MemcachedNode node = noCrawler.node(0);
			node.rawSet("some-key", bytes("value"), 0, 0);
			assertThatExceptionOfType(MetadumpUnavailableException.class)
				.isThrownBy(() -> reader(node).read((k) -> true))
				.satisfies((ex) -> {
					assertThat(ex.isCrawlerDisabled()).isTrue();
					assertThat(ex.isBusy()).isFalse();
					assertThat(ex.getMessage()).contains(node.address()).contains("lru crawler disabled");
				});
		}
	}

	@Test
	void hostileBytesFromANodeAreSkippedLineByLineAndOnlyWellFormedKeysAreListed() throws Exception {
		String hostile = "key=good%3Aone exp=-1 la=1 cas=1 fetch=no cls=1 size=60\n" + "x".repeat(1_000_000) + "\n"
				+ "key=" + "%41".repeat(5_000) + " exp=-1\n" + "\u0000\u00ff\u0001 binary junk\n"
				+ "key=broken%4 exp=-1\n" + "key=noexp size=5\n" + "key=badexp exp=soon\n" + "key=negative exp=-7\n"
				+ "key= exp=-1\n" + "key=good%20two exp=1800000000 size=notanumber\r\n" + "END\r\n";
		try (FakeNode fake = new FakeNode(hostile.getBytes(StandardCharsets.ISO_8859_1), true)) {
			MetadumpReader reader = new MetadumpReader(fake.address(), TIMEOUT);
			List<DumpedKey> listed = new ArrayList<>();
			long count = reader.read(listed::add);
			assertThat(count).isEqualTo(2);
			assertThat(listed).containsExactly(new DumpedKey("good:one", -1, 60),
					new DumpedKey("good two", 1_800_000_000L, -1));
			assertThat(reader.skippedLines()).isEqualTo(8);
		}
	}

	@Test
	void aCrawlerBusyWithAnotherListingIsReportedAsBusy() throws Exception {
		byte[] busy = "BUSY currently processing crawler request\r\n".getBytes(StandardCharsets.US_ASCII);
		try (FakeNode fake = new FakeNode(busy, true)) {
			assertThatExceptionOfType(MetadumpUnavailableException.class)
				.isThrownBy(() -> new MetadumpReader(fake.address(), TIMEOUT).read((k) -> true))
				.satisfies((ex) -> {
					assertThat(ex.isBusy()).isTrue();
					assertThat(ex.isCrawlerDisabled()).isFalse();
				});
		}
	}

	@Test
	void aListingCutOffBeforeEndIsAnErrorNotAShortListing() throws Exception {
		byte[] cut = "key=a exp=-1\nkey=b exp=-1\n".getBytes(StandardCharsets.US_ASCII);
		try (FakeNode fake = new FakeNode(cut, true)) {
			assertThatExceptionOfType(IOException.class)
				.isThrownBy(() -> new MetadumpReader(fake.address(), TIMEOUT).read((k) -> true))
				.withMessageContaining("before the end of its key listing");
		}
	}

	@Test
	void aNodeThatStopsAnsweringMidListingTimesOut() throws Exception {
		byte[] stalled = "key=a exp=-1\n".getBytes(StandardCharsets.US_ASCII);
		try (FakeNode fake = new FakeNode(stalled, false)) {
			long start = System.nanoTime();
			assertThatExceptionOfType(SocketTimeoutException.class)
				.isThrownBy(() -> new MetadumpReader(fake.address(), Duration.ofMillis(300)).read((k) -> true));
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
		}
	}

	private static MetadumpReader reader(MemcachedNode node) {
		return new MetadumpReader(NodeAddress.parse(node.address()), TIMEOUT);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/** A loopback server that answers one connection with fixed bytes. */
	private static final class FakeNode implements AutoCloseable {

		private final ServerSocket server;

		private final CompletableFuture<Void> served;

		FakeNode(byte[] reply, boolean closeAfter) throws IOException {
			this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
			this.served = CompletableFuture.runAsync(() -> {
				try (Socket socket = this.server.accept()) {
					InputStream in = socket.getInputStream();
					while (in.read() != '\n') {
						// read the command line
					}
					OutputStream out = socket.getOutputStream();
					out.write(reply);
					out.flush();
					if (!closeAfter) {
						in.read();
					}
				}
				catch (IOException ex) {
					// the reader hung up
				}
			});
		}

		NodeAddress address() {
			return new NodeAddress("127.0.0.1", this.server.getLocalPort());
		}

		@Override
		public void close() throws Exception {
			this.server.close();
			try {
				this.served.get(5, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				// the server thread ends when its socket closes
			}
		}

	}

}
