package io.memquorum.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.memquorum.test.MemcachedCluster;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hints hold whole values, so their bound must be in bytes as well as keys: with the
 * default settings, 300 hints of 512 KB for a killed node must not exhaust a 64 MB heap.
 */
class HintsInASmallHeapTests {

	@Test
	void hintsForAKilledNodeStayWithinTheirByteBoundInASixtyFourMegabyteHeap() throws Exception {
		try (MemcachedCluster cluster = MemcachedCluster.start(3)) {
			cluster.node(2).kill();
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			Process application = new ProcessBuilder(java, "-Xmx64m", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
					System.getProperty("java.class.path"), HintsInASmallHeap.class.getName(), cluster.servers())
				.redirectErrorStream(true)
				.start();
			application.getOutputStream().close();
			StringBuffer said = new StringBuffer();
			Thread reader = new Thread(() -> {
				try {
					said.append(new String(application.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
				}
				catch (IOException ex) {
					said.append("(output lost: ").append(ex.getMessage()).append(')');
				}
			});
			reader.start();
			boolean exited = application.waitFor(60, TimeUnit.SECONDS);
			if (!exited) {
				application.destroyForcibly();
			}
			reader.join(5_000);
			String output = said.toString();
			assertThat(exited).as("the application finished; it said: %s", output).isTrue();
			assertThat(application.exitValue()).as("exit status; the application said: %s", output).isZero();
			assertThat(output).contains("overflowed true").doesNotContain("OutOfMemoryError");
		}
	}

}
