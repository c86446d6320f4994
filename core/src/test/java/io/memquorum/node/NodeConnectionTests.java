package io.memquorum.node;

import java.nio.charset.StandardCharsets;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.memquorum.node.NodeConnection.StoredValue;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class NodeConnectionTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(1);

	private NodeConnection connection;

	private NodeConnection connect(Duration operationTimeout) throws Exception {
		this.connection = new NodeConnection(NodeAddress.parse(memcached.cluster().addresses().get(0)),
				Duration.ofSeconds(1), operationTimeout, Duration.ofMillis(500));
		return this.connection;
	}

	@AfterEach
	void close() {
		if (this.connection != null) {
			this.connection.close();
		}
	}

	@Test
	void concurrentGetsMergedIntoOneMultiGetEachReceiveTheirOwnKeysValue() throws Exception {
		// A generous timeout: this is about which reply reaches which caller, not speed.
		NodeConnection connection = connect(Duration.ofSeconds(10));
		for (int i = 0; i < 100; i++) {
			connection.set("merged-" + i, 0, new StoredValue(7, bytes("value of " + i))).get(1, TimeUnit.SECONDS);
		}
		List<CompletableFuture<StoredItem>> gets = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			// Every key is asked for many times while earlier gets are still queued, so
			// merged batches hold distinct keys and repeated keys alike.
			gets.add(connection.gets("merged-" + (i % 100)));
		}
		CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
		for (int i = 0; i < gets.size(); i++) {
			StoredItem item = gets.get(i).join();
			assertThat(item).isNotNull();
			assertThat(item.flags()).isEqualTo(7);
			assertThat(new String(item.data(), StandardCharsets.UTF_8)).isEqualTo("value of " + (i % 100));
			assertThat(item.cas()).isPositive();
		}
	}

	@Test
	void getsInFlightWhenTheNodeIsKilledCompleteExceptionallyWithinTheOperationTimeout() throws Exception {
		NodeConnection connection = connect(Duration.ofMillis(250));
		connection.set("doomed", 0, new StoredValue(0, bytes("x"))).get(1, TimeUnit.SECONDS);
		memcached.cluster().node(0).pause();
		List<CompletableFuture<StoredItem>> gets = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			gets.add(connection.gets("doomed"));
		}
		memcached.cluster().node(0).kill();
		for (CompletableFuture<StoredItem> get : gets) {
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> get.get(2, TimeUnit.SECONDS))
				.withCauseInstanceOf(NodeOperationException.class);
		}
	}

	@Test
	void aCommandToAPausedNodeFailsWithATimeoutAndTheConnectionServesAgainAfterResume() throws Exception {
		NodeConnection connection = connect(Duration.ofMillis(200));
		connection.set("paused", 0, new StoredValue(0, bytes("before"))).get(1, TimeUnit.SECONDS);
		memcached.cluster().node(0).pause();
		CompletableFuture<StoredItem> get = connection.gets("paused");
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> get.get(2, TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOfSatisfying(NodeOperationException.class,
					(failure) -> assertThat(failure.isTimeout()).isTrue());
		memcached.cluster().node(0).resume();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(connection.gets("paused").get(1, TimeUnit.SECONDS)).isNotNull());
	}

	@Test
	void largeValuesQueuedWhileTheNodeIsPausedAreWrittenWholeOnceItResumes() throws Exception {
		// Pause: 12 values of 900 KB (about 11 MB) are more than the socket takes at
		// once,
		// so the reactor's immediate write stops part-way and must wait for writability.
		NodeConnection connection = connect(Duration.ofSeconds(30));
		memcached.cluster().node(0).pause();
		List<byte[]> values = new ArrayList<>();
		List<CompletableFuture<Boolean>> sets = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			byte[] value = new byte[900 * 1024];
			Arrays.fill(value, (byte) ('a' + i));
			value[value.length - 1] = (byte) i;
			values.add(value);
			sets.add(connection.set("large-" + i, 0, new StoredValue(0, value)));
		}
		List<CompletableFuture<StoredItem>> gets = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			gets.add(connection.gets("large-" + (i % 12)));
		}
		memcached.cluster().node(0).resume();
		for (CompletableFuture<Boolean> set : sets) {
			assertThat(set.get(30, TimeUnit.SECONDS)).isTrue();
		}
		for (int i = 0; i < gets.size(); i++) {
			// Queued behind the sets on one connection, each get sees its set's value.
			assertThat(gets.get(i).get(30, TimeUnit.SECONDS).data()).isEqualTo(values.get(i % 12));
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	@Test
	void aConnectionScannedByItsOwnerForgetsAnsweredCommandsAtEachScan() throws Exception {
		this.connection = NodeConnection.scannedByCaller(NodeAddress.parse(memcached.cluster().addresses().get(0)),
				Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(500));
		List<CompletableFuture<?>> answers = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			answers.add(this.connection.gets("absent:" + i));
		}
		CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
		assertThat(this.connection.trackedCommands()).isEqualTo(1000);
		assertThat(this.connection.hasOverdue(System.nanoTime())).isFalse();
		assertThat(this.connection.trackedCommands()).isZero();
	}

	@Test
	void anAnsweredCommandKeepsNeitherItsValueNorItsBytesUntilTheScanForgetsIt() throws Exception {
		this.connection = NodeConnection.scannedByCaller(NodeAddress.parse(memcached.cluster().addresses().get(0)),
				Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(500));
		byte[] value = new byte[256 * 1024];
		WeakReference<byte[]> written = new WeakReference<>(value);
		assertThat(this.connection.set("released", 0, new StoredValue(0, value)).get(10, TimeUnit.SECONDS)).isTrue();
		value = null;
		WeakReference<byte[]> read = new WeakReference<>(
				this.connection.gets("released").get(10, TimeUnit.SECONDS).data());
		assertThat(this.connection.trackedCommands()).as("not scanned yet").isEqualTo(2);
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
			System.gc();
			return written.get() == null && read.get() == null;
		});
		assertThat(this.connection.trackedCommands()).isEqualTo(2);
	}

}
