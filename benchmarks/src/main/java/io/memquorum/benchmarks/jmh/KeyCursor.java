package io.memquorum.benchmarks.jmh;

import java.util.concurrent.ThreadLocalRandom;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Each benchmark thread's position in the Zipf key sequence, starting at a random place
 * so that threads do not move in lockstep.
 */
@State(Scope.Thread)
public class KeyCursor {

	private int position = ThreadLocalRandom.current().nextInt();

	/**
	 * The next key this thread uses.
	 * @return the key
	 */
	public String next() {
		return Workload.key(this.position++);
	}

}
