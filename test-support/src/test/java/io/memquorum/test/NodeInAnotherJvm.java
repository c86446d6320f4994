package io.memquorum.test;

import java.io.IOException;

/**
 * Starts a memcached node in a JVM of its own, prints its pid and waits for standard
 * input to close, so that a test can kill this JVM and check what becomes of memcached.
 */
public final class NodeInAnotherJvm {

	static final String PID_PREFIX = "memcached-pid=";

	private NodeInAnotherJvm() {
	}

	public static void main(String[] args) throws IOException {
		MemcachedNode node = MemcachedNode.start();
		System.out.println(PID_PREFIX + node.pid());
		System.out.flush();
		// Deliberately never closed: cleanup is left to the shutdown hook and watchdog.
		while (System.in.read() != -1) {
			// Wait for the parent to close the pipe.
		}
	}

}
