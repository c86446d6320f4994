package io.memquorum.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An application in a JVM of its own, for the faults a test cannot cause in its own JVM:
 * a frozen JVM, and a host name resolved through a hosts file of the test's choosing
 * ({@code -Djdk.net.hosts.file}). Builds an engine with default settings on the nodes
 * given as its argument, writes and reads in a loop, and reports on standard output:
 * {@code ready}, then {@code down <node>} and {@code up <node>} whenever a node changes
 * between marked down and not. It stops when its standard input closes.
 */
public final class EngineInAnotherJvm {

	private EngineInAnotherJvm() {
	}

	public static void main(String[] args) throws IOException {
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicLong written = new AtomicLong();
		try (ReplicatedMemcached engine = ReplicatedMemcached.builder().servers(args[0].split(",")).build()) {
			Thread load = new Thread(() -> {
				byte[] value = "value".getBytes(StandardCharsets.UTF_8);
				while (running.get()) {
					long n = written.incrementAndGet();
					try {
						engine.set("key-" + (n % 1000), value, Duration.ZERO);
						engine.get("key-" + ((n * 7) % 1000));
					}
					catch (RuntimeException ex) {
						// Failures are expected while nodes are gone; the report says
						// how.
					}
					// Pacing of the load, not synchronization.
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
				}
			}, "load");
			Thread watch = new Thread(() -> {
				Set<String> down = new HashSet<>();
				while (running.get()) {
					for (NodeStatus status : engine.nodeStatus()) {
						String node = status.address().toString();
						boolean isDown = status.state() == NodeState.DOWN;
						if (isDown && down.add(node)) {
							System.out.println("down " + node);
						}
						else if (!isDown && down.remove(node)) {
							System.out.println("up " + node);
						}
					}
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
				}
			}, "watch");
			load.setDaemon(true);
			watch.setDaemon(true);
			load.start();
			watch.start();
			System.out.println("ready");
			while (System.in.read() != -1) {
				// Runs until the test closes standard input or goes away.
			}
			running.set(false);
		}
	}

}
