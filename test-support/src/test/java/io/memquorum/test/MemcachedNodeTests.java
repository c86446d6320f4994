package io.memquorum.test;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.greaterThan;

/**
 * Tests for {@link MemcachedNode} against real memcached processes.
 */
class MemcachedNodeTests {

	private static final Duration SHORT_TIMEOUT = Duration.ofMillis(300);

	private final List<MemcachedNode> started = new ArrayList<>();

	@AfterEach
	void closeNodes() {
		this.started.forEach(MemcachedNode::close);
	}

	@Test
	void startRunsMemcachedOnAFreeLoopbackPort() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		assertThat(node.host()).isEqualTo("127.0.0.1");
		assertThat(node.port()).isBetween(1, 65535);
		assertThat(node.address()).isEqualTo("127.0.0.1:" + node.port());
		assertThat(node.isRunning()).isTrue();
		assertThat(node.isPaused()).isFalse();
		assertThat(isAlive(node.pid())).isTrue();
		assertThat(node.stats()).containsEntry("pid", Long.toString(node.pid()))
			.hasEntrySatisfying("version", (version) -> assertThat(version).startsWith("1.6."));
	}

	@Test
	void twoNodesGetDifferentPorts() {
		MemcachedNode first = start(MemcachedOptions.defaults());
		MemcachedNode second = start(MemcachedOptions.defaults());
		assertThat(first.port()).isNotEqualTo(second.port());
		assertThat(first.pid()).isNotEqualTo(second.pid());
	}

	@Test
	void defaultOptionsReachTheProcess() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		assertThat(node.stats("settings")).containsEntry("maxbytes", Long.toString(64L * 1024 * 1024))
			.containsEntry("item_size_max", Integer.toString(1024 * 1024))
			.containsEntry("num_threads", "2")
			.containsEntry("maxconns", "1024")
			.containsEntry("tcpport", Integer.toString(node.port()))
			.containsEntry("udpport", "0")
			.containsEntry("inter", "127.0.0.1");
	}

	@Test
	void customOptionsReachTheProcess() {
		MemcachedNode node = start(MemcachedOptions.defaults()
			.withMemoryMegabytes(32)
			.withItemSizeLimit("2m")
			.withThreads(1)
			.withMaxConnections(64)
			.withExtraArguments("-R", "7"));
		assertThat(node.stats("settings")).containsEntry("maxbytes", Long.toString(32L * 1024 * 1024))
			.containsEntry("item_size_max", Integer.toString(2 * 1024 * 1024))
			.containsEntry("num_threads", "1")
			.containsEntry("maxconns", "64")
			.containsEntry("reqs_per_event", "7");
	}

	@Test
	void closeKillsTheProcessAndMayBeRepeated() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		long pid = node.pid();
		node.close();
		assertThat(node.isRunning()).isFalse();
		assertThat(isAlive(pid)).isFalse();
		node.close();
		assertThatIllegalStateException().isThrownBy(node::restartEmpty).withMessageContaining("closed");
	}

	@Test
	void killMakesThePortRefuseConnections() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		long pid = node.pid();
		node.kill();
		assertThat(node.isRunning()).isFalse();
		assertThat(isAlive(pid)).isFalse();
		assertThatExceptionOfType(ConnectException.class)
			.isThrownBy(() -> new Socket(node.host(), node.port()).close());
		assertThatExceptionOfType(UncheckedIOException.class).isThrownBy(() -> node.rawGet("key"))
			.withCauseInstanceOf(ConnectException.class)
			.withMessageContaining(node.address());
	}

	@Test
	void killOfAKilledNodeDoesNothing() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		node.kill();
		node.kill();
		assertThat(node.isRunning()).isFalse();
	}

	@Test
	void restartEmptyComesBackEmptyOnTheSamePortWithANewPid() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		int port = node.port();
		long oldPid = node.pid();
		node.rawSet("survivor", bytes("value"), 0, 0);
		node.kill();
		node.restartEmpty();
		assertThat(node.isRunning()).isTrue();
		assertThat(node.port()).isEqualTo(port);
		assertThat(node.pid()).isNotEqualTo(oldPid);
		assertThat(node.stats()).containsEntry("pid", Long.toString(node.pid()));
		assertThat(node.rawGet("survivor")).isNull();
		assertThat(node.currentItems()).isZero();
	}

	@Test
	void restartEmptyReplacesAProcessThatIsStillRunning() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		long oldPid = node.pid();
		node.rawSet("key", bytes("value"), 0, 0);
		node.restartEmpty();
		assertThat(isAlive(oldPid)).isFalse();
		assertThat(node.pid()).isNotEqualTo(oldPid);
		assertThat(node.keys()).isEmpty();
	}

	@Test
	void restartEmptyWaitsForThePortToBeReleased() throws Exception {
		MemcachedNode node = start(MemcachedOptions.defaults());
		node.kill();
		CompletableFuture<Void> restart;
		try (ServerSocket squatter = new ServerSocket()) {
			squatter.bind(new InetSocketAddress(node.host(), node.port()));
			restart = CompletableFuture.runAsync(node::restartEmpty);
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !restart.isDone());
		}
		restart.get(10, TimeUnit.SECONDS);
		assertThat(node.isRunning()).isTrue();
		assertThat(node.stats()).containsEntry("pid", Long.toString(node.pid()));
	}

	@Test
	void aProcessThatCannotStartReportsWhatMemcachedSaid() {
		assertThatIllegalStateException()
			.isThrownBy(() -> start(MemcachedOptions.defaults().withExtraArguments("--no-such-option")))
			.withMessageContaining("memcached exited")
			.withMessageContaining("no-such-option");
	}

	@Test
	void pauseMakesARawGetTimeOutAndResumeMakesItAnswer() {
		MemcachedNode node = start(MemcachedOptions.defaults().withProtocolTimeout(SHORT_TIMEOUT));
		node.rawSet("key", bytes("value"), 0, 0);
		node.pause();
		assertThat(node.isPaused()).isTrue();
		assertThat(node.isRunning()).isTrue();
		assertThatExceptionOfType(UncheckedIOException.class).isThrownBy(() -> node.rawGet("key"))
			.withCauseInstanceOf(SocketTimeoutException.class)
			.withMessageContaining("paused");
		node.resume();
		assertThat(node.isPaused()).isFalse();
		assertThat(node.rawGet("key")).isEqualTo(bytes("value"));
	}

	@Test
	void killOfAPausedNodeKillsIt() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		long pid = node.pid();
		node.pause();
		node.kill();
		assertThat(node.isRunning()).isFalse();
		assertThat(node.isPaused()).isFalse();
		assertThat(isAlive(pid)).isFalse();
	}

	@Test
	void restartEmptyOfAPausedNodeStartsARunningOne() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		node.rawSet("key", bytes("value"), 0, 0);
		node.pause();
		node.restartEmpty();
		assertThat(node.isPaused()).isFalse();
		assertThat(node.rawGet("key")).isNull();
	}

	@Test
	void pauseOfAKilledNodeIsRejected() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		node.kill();
		assertThatIllegalStateException().isThrownBy(node::pause).withMessageContaining("not running");
	}

	@Test
	void rawSetRawGetStatsAndKeysRoundTrip() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		byte[] binary = { 0, (byte) 0xff, '\r', '\n', 'E', 'N', 'D', '\r', '\n' };
		node.rawSet("user:42", bytes("alice"), 0, 0);
		node.rawSet("a+b%20c/d?e=f", binary, 0xFFFF_FFFF, 0);
		node.rawSet("naïve-ключ", bytes("unicode"), 7, 3600);
		assertThat(node.rawGet("user:42")).isEqualTo(bytes("alice"));
		assertThat(node.rawGet("a+b%20c/d?e=f")).isEqualTo(binary);
		assertThat(node.rawGet("naïve-ключ")).isEqualTo(bytes("unicode"));
		assertThat(node.rawGet("missing")).isNull();
		assertThat(node.currentItems()).isEqualTo(3);
		assertThat(node.stats()).containsEntry("cmd_set", "3").containsEntry("get_hits", "3");
		assertThat(node.keys()).containsExactlyInAnyOrder("user:42", "a+b%20c/d?e=f", "naïve-ключ");
	}

	@Test
	void emptyValuesRoundTrip() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		node.rawSet("empty", new byte[0], 0, 0);
		assertThat(node.rawGet("empty")).isEmpty();
	}

	@Test
	void flushAllEmptiesTheNode() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		for (int i = 0; i < 1000; i++) {
			node.rawSet("key-" + i, bytes("value"), 0, 0);
		}
		node.flushAll();
		assertThat(node.rawGet("key-1")).isNull();
		assertThat(node.keys()).isEmpty();
		assertThat(node.currentItems()).isZero();
	}

	@Test
	void rawSetOfAnItemOverTheSizeLimitIsRejected() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		assertThatIllegalStateException().isThrownBy(() -> node.rawSet("big", new byte[2 * 1024 * 1024], 0, 0))
			.withMessageContaining("SERVER_ERROR");
		assertThat(node.rawGet("big")).isNull();
	}

	@Test
	void keysThatMemcachedCannotStoreAreRejected() {
		MemcachedNode node = start(MemcachedOptions.defaults());
		assertThatIllegalArgumentException().isThrownBy(() -> node.rawGet("with space"));
		assertThatIllegalArgumentException().isThrownBy(() -> node.rawSet("", bytes("v"), 0, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> node.rawGet("k".repeat(251)));
	}

	@Test
	void oneThreadCanKillPauseAndRestartANodeWhileOthersUseIt() throws Exception {
		MemcachedNode node = start(MemcachedOptions.defaults().withProtocolTimeout(SHORT_TIMEOUT));
		AtomicBoolean stop = new AtomicBoolean();
		AtomicInteger successes = new AtomicInteger();
		ExecutorService workers = Executors.newFixedThreadPool(3);
		try {
			List<Future<?>> results = new ArrayList<>();
			for (int worker = 0; worker < 3; worker++) {
				String key = "worker-" + worker;
				results.add(workers.submit(() -> {
					while (!stop.get()) {
						try {
							node.rawSet(key, bytes("value"), 0, 0);
							node.rawGet(key);
							successes.incrementAndGet();
						}
						catch (UncheckedIOException ex) {
							// Expected while the node is killed or paused.
						}
					}
					return null;
				}));
			}
			await().atMost(Duration.ofSeconds(10)).untilAtomic(successes, greaterThan(0));
			for (int round = 0; round < 3; round++) {
				node.kill();
				node.restartEmpty();
				node.pause();
				node.resume();
			}
			int beforeHealing = successes.get();
			await().atMost(Duration.ofSeconds(10)).untilAtomic(successes, greaterThan(beforeHealing));
			stop.set(true);
			for (Future<?> result : results) {
				result.get(10, TimeUnit.SECONDS);
			}
		}
		finally {
			stop.set(true);
			workers.shutdownNow();
		}
		assertThat(node.isRunning()).isTrue();
		assertThat(node.isPaused()).isFalse();
		node.rawSet("after", bytes("value"), 0, 0);
		assertThat(node.rawGet("after")).isEqualTo(bytes("value"));
	}

	private MemcachedNode start(MemcachedOptions options) {
		MemcachedNode node = MemcachedNode.start(options);
		this.started.add(node);
		return node;
	}

	private static boolean isAlive(long pid) {
		return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
