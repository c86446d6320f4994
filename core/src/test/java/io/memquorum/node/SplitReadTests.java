package io.memquorum.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.memquorum.node.NodeConnection.StoredValue;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Reads that split an item into head, body and tail as it arrives
 * ({@link NodeConnection#gets(String, ItemLayout)}), against real memcached, and against
 * a server that answers with hostile bytes.
 */
class SplitReadTests {

	private static final ItemLayout LAYOUT = new ItemLayout(77, 4, 2);

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(1);

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
	}

	@ParameterizedTest
	@ValueSource(ints = { 6, 7, 1024, 300_000 })
	void anItemUnderTheLayoutsFlagsArrivesInItsThreePartsWithTheCasOfAPlainGets(int length) throws Exception {
		NodeConnection connection = connect(memcached.cluster().addresses().get(0));
		byte[] value = randomBytes(length);
		connection.set("split", 0, new StoredValue(77, value)).get(5, TimeUnit.SECONDS);

		StoredItem item = connection.gets("split", LAYOUT).get(5, TimeUnit.SECONDS);
		StoredItem plain = connection.gets("split").get(5, TimeUnit.SECONDS);

		assertThat(item.isSplit()).isTrue();
		assertThat(item.flags()).isEqualTo(77);
		assertThat(item.head()).isEqualTo(Arrays.copyOfRange(value, 0, 4));
		assertThat(item.body()).isEqualTo(Arrays.copyOfRange(value, 4, length - 2));
		assertThat(item.tail()).isEqualTo(Arrays.copyOfRange(value, length - 2, length));
		assertThat(item.data()).isEqualTo(value);
		assertThat(item.cas()).isEqualTo(plain.cas()).isPositive();
	}

	@Test
	void itemsUnderOtherFlagsOrShorterThanHeadAndTailArriveWholeAndAMissIsNull() throws Exception {
		NodeConnection connection = connect(memcached.cluster().addresses().get(0));
		connection.set("other-flags", 0, new StoredValue(5, bytes("0123456789"))).get(5, TimeUnit.SECONDS);
		connection.set("too-short", 0, new StoredValue(77, bytes("01234"))).get(5, TimeUnit.SECONDS);
		connection.set("empty", 0, new StoredValue(77, new byte[0])).get(5, TimeUnit.SECONDS);

		StoredItem otherFlags = connection.gets("other-flags", LAYOUT).get(5, TimeUnit.SECONDS);
		StoredItem tooShort = connection.gets("too-short", LAYOUT).get(5, TimeUnit.SECONDS);
		StoredItem empty = connection.gets("empty", LAYOUT).get(5, TimeUnit.SECONDS);

		assertThat(otherFlags.isSplit()).isFalse();
		assertThat(otherFlags.data()).isEqualTo(bytes("0123456789"));
		assertThat(tooShort.isSplit()).isFalse();
		assertThat(tooShort.data()).isEqualTo(bytes("01234"));
		assertThat(empty.isSplit()).isFalse();
		assertThat(empty.data()).isEmpty();
		assertThat(connection.gets("never-set", LAYOUT).get(5, TimeUnit.SECONDS)).isNull();
	}

	@Test
	void manyConcurrentSplitReadsOfLargeValuesEachGetTheirOwnKeysBytes() throws Exception {
		NodeConnection connection = connect(memcached.cluster().addresses().get(0));
		List<byte[]> values = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			byte[] value = randomBytes(20_000 + i);
			values.add(value);
			connection.set("concurrent-" + i, 0, new StoredValue(77, value)).get(5, TimeUnit.SECONDS);
		}
		List<CompletableFuture<StoredItem>> reads = new ArrayList<>();
		for (int i = 0; i < 400; i++) {
			reads.add(connection.gets("concurrent-" + (i % 20), LAYOUT));
		}
		CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
		for (int i = 0; i < reads.size(); i++) {
			assertThat(reads.get(i).join().data()).isEqualTo(values.get(i % 20));
		}
	}

	@Test
	void splitGetsQueuedTogetherGoOutAsOneMultiGetAndEachGetsItsOwnHitOrMiss() throws Exception {
		NodeConnection connection = connect(memcached.cluster().addresses().get(0));
		List<byte[]> values = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			byte[] value = randomBytes(10 + i * 100);
			values.add(value);
			connection.set("batched-" + i, 0, new StoredValue((i % 3 == 0) ? 5 : 77, value)).get(5, TimeUnit.SECONDS);
		}
		List<CompletableFuture<StoredItem>> reads = new ArrayList<>();
		List<Integer> asked = new ArrayList<>();
		for (int i = 0; i < 4000; i++) {
			// keys 40 to 59 were never set; repeated keys land in the same batch
			int key = ThreadLocalRandom.current().nextInt(60);
			asked.add(key);
			reads.add(connection.gets("batched-" + key, LAYOUT));
		}
		CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

		for (int i = 0; i < reads.size(); i++) {
			int key = asked.get(i);
			StoredItem item = reads.get(i).join();
			if (key < 40) {
				assertThat(item.data()).as("key %d", key).isEqualTo(values.get(key));
				assertThat(item.isSplit()).isEqualTo(key % 3 != 0);
			}
			else {
				assertThat(item).as("key %d", key).isNull();
			}
		}
		assertThat(connection.batchedGets()).as("gets that went out batched").isPositive();
	}

	@Test
	void batchedGetsInFlightWhenTheNodeIsKilledFailWhenItsConnectionClosesNotAtTheTimeout() throws Exception {
		MemcachedNode node = memcached.cluster().node(0);
		NodeConnection connection = new NodeConnection(NodeAddress.parse(node.address()), Duration.ofSeconds(1),
				Duration.ofSeconds(20), Duration.ofSeconds(30));
		this.closeables.add(connection::close);
		connection.set("doomed", 0, new StoredValue(77, bytes("HHbodyT"))).get(5, TimeUnit.SECONDS);
		// Fault: pause, so the gets wait on the wire unanswered; then kill.
		node.pause();
		List<CompletableFuture<StoredItem>> reads = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			reads.add(connection.gets((i % 2 == 0) ? "doomed" : "doomed-" + i, LAYOUT));
		}
		long killedAt = System.nanoTime();
		node.kill();

		CompletableFuture<Void> all = CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new));
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> all.get(10, TimeUnit.SECONDS));
		assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).as("well before the 20 s operation timeout")
			.isLessThan(Duration.ofSeconds(10));
		assertThat(reads).allSatisfy((read) -> assertThat(read).isCompletedExceptionally());
		assertThat(connection.batchedGets()).as("gets that went out batched").isPositive();
	}

	@Test
	void twoGetsSentTogetherAreOneRequestLineAndEachGetsItsOwnItem() throws Exception {
		NodeConnection connection = connect(memcached.cluster().addresses().get(0));
		connection.set("together-hit", 0, new StoredValue(77, bytes("HHbodyT"))).get(5, TimeUnit.SECONDS);

		StoredItem[] items = connection.getsTogether("together-hit", "together-miss", LAYOUT).get(5, TimeUnit.SECONDS);

		assertThat(items[0].body()).isEqualTo(bytes("d"));
		assertThat(items[0].data()).isEqualTo(bytes("HHbodyT"));
		assertThat(items[1]).isNull();
		try (CannedServer server = new CannedServer("END\r\n")) {
			NodeConnection canned = connect("127.0.0.1:" + server.port());
			StoredItem[] misses = canned.getsTogether("first", "second", LAYOUT).get(5, TimeUnit.SECONDS);
			assertThat(misses).containsExactly(null, null);
			assertThat(server.lines()).containsExactly("gets first second");
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "VALUE someone-else 77 6 1\r\nabcdef\r\nEND\r\n", "VALUE hostile 77 -6 1\r\n",
			"VALUE hostile 77 6\r\nabcdef\r\nEND\r\n", "VALUE hostile 7x7 6 1\r\nabcdef\r\nEND\r\n",
			"VALUE hostile 77 99999999999 1\r\n", "VALUE hostile 77 6 1\r\nabcdefXXEND\r\n", "GARBAGE\r\n" })
	void hostileRepliesFailTheReadAtOnceRatherThanAtTheOperationTimeout(String reply) throws Exception {
		try (CannedServer server = new CannedServer(reply)) {
			NodeConnection connection = connect("127.0.0.1:" + server.port());
			CompletableFuture<StoredItem> read = connection.gets("hostile", LAYOUT);
			// The operation timeout is 3 s: failing within 2 s means the reply was
			// rejected, not waited out.
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> read.get(2, TimeUnit.SECONDS))
				.withCauseInstanceOf(NodeOperationException.class);
		}
	}

	@Test
	void errorRepliesFailOnlyTheirCommand() throws Exception {
		try (CannedServer server = new CannedServer("SERVER_ERROR out of memory\r\n")) {
			NodeConnection connection = connect("127.0.0.1:" + server.port());
			assertThatExceptionOfType(ExecutionException.class)
				.isThrownBy(() -> connection.gets("a", LAYOUT).get(5, TimeUnit.SECONDS))
				.withCauseInstanceOf(NodeOperationException.class)
				.withMessageContaining("out of memory");
			assertThatExceptionOfType(ExecutionException.class)
				.isThrownBy(() -> connection.gets("b", LAYOUT).get(5, TimeUnit.SECONDS))
				.withMessageContaining("out of memory");
			assertThat(server.connections()).as("the session stayed open").isEqualTo(1);
		}
	}

	private NodeConnection connect(String address) throws IOException {
		NodeConnection connection = new NodeConnection(NodeAddress.parse(address), Duration.ofSeconds(1),
				Duration.ofSeconds(3), Duration.ofMillis(500));
		this.closeables.add(connection::close);
		return connection;
	}

	private static byte[] randomBytes(int length) {
		byte[] bytes = new byte[length];
		ThreadLocalRandom.current().nextBytes(bytes);
		return bytes;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * A loopback server that answers every command line it reads with the same bytes: a
	 * memcached that went wrong, or something else listening on its port.
	 */
	private static final class CannedServer implements AutoCloseable {

		private final ServerSocket socket;

		private final byte[] reply;

		private final Thread acceptor;

		private volatile int connections;

		private final List<String> lines = new CopyOnWriteArrayList<>();

		CannedServer(String reply) throws IOException {
			this.socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
			this.reply = bytes(reply);
			this.acceptor = new Thread(this::accept, "canned-server");
			this.acceptor.setDaemon(true);
			this.acceptor.start();
		}

		int port() {
			return this.socket.getLocalPort();
		}

		int connections() {
			return this.connections;
		}

		/** The request lines received, without their line ends. */
		List<String> lines() {
			return this.lines;
		}

		private void accept() {
			while (!this.socket.isClosed()) {
				try {
					Socket client = this.socket.accept();
					this.connections++;
					Thread answering = new Thread(() -> answer(client), "canned-answers");
					answering.setDaemon(true);
					answering.start();
				}
				catch (IOException ex) {
					return;
				}
			}
		}

		private void answer(Socket client) {
			try (client; InputStream in = client.getInputStream(); OutputStream out = client.getOutputStream()) {
				int previous = -1;
				int next;
				StringBuilder line = new StringBuilder();
				while ((next = in.read()) != -1) {
					if (previous == '\r' && next == '\n') {
						this.lines.add(line.substring(0, line.length() - 1));
						line.setLength(0);
						out.write(this.reply);
						out.flush();
					}
					else {
						line.append((char) next);
					}
					previous = next;
				}
			}
			catch (IOException ex) {
				// The client closed the connection.
			}
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

}
