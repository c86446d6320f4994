package io.memquorum.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests for finding the memcached executable.
 */
class MemcachedBinaryTests {

	@Test
	void aMissingBinaryExplainsHowToInstallMemcached() {
		String previous = System.getProperty(MemcachedBinary.PROPERTY);
		System.setProperty(MemcachedBinary.PROPERTY, "/nonexistent/memcached");
		try {
			assertThatExceptionOfType(MemcachedNotInstalledException.class).isThrownBy(MemcachedNode::start)
				.withMessageContaining("/nonexistent/memcached")
				.withMessageContaining("sudo apt-get install -y memcached")
				.withMessageContaining("brew install memcached")
				.withMessageContaining("memquorum.memcached.binary")
				.withMessageContaining("MEMQUORUM_MEMCACHED_BINARY");
			assertThatExceptionOfType(MemcachedNotInstalledException.class).isThrownBy(() -> MemcachedCluster.start(2))
				.isInstanceOf(IllegalStateException.class);
		}
		finally {
			if (previous != null) {
				System.setProperty(MemcachedBinary.PROPERTY, previous);
			}
			else {
				System.clearProperty(MemcachedBinary.PROPERTY);
			}
		}
	}

	@Test
	void theSystemPropertyWinsOverTheEnvironmentVariable(@TempDir Path directory) throws IOException {
		Path property = executable(directory.resolve("from-property"));
		Path environment = executable(directory.resolve("from-environment"));
		Path located = MemcachedBinary.locate(Map.of(MemcachedBinary.PROPERTY, property.toString())::get,
				Map.of(MemcachedBinary.ENVIRONMENT_VARIABLE, environment.toString())::get);
		assertThat(located).isEqualTo(property);
	}

	@Test
	void theEnvironmentVariableWinsOverThePath(@TempDir Path directory) throws IOException {
		Path environment = executable(directory.resolve("from-environment"));
		executable(directory.resolve("memcached"));
		Path located = MemcachedBinary.locate(Map.<String, String>of()::get, Map
			.of(MemcachedBinary.ENVIRONMENT_VARIABLE, environment.toString(), "PATH", directory.toString())::get);
		assertThat(located).isEqualTo(environment);
	}

	@Test
	void thePathIsSearchedBeforeTheUsualDirectories(@TempDir Path directory) throws IOException {
		Path onPath = executable(directory.resolve("memcached"));
		Path located = MemcachedBinary.locate(Map.<String, String>of()::get,
				Map.of("PATH", "/nonexistent:" + directory)::get);
		assertThat(located).isEqualTo(onPath);
	}

	@Test
	void theUsualDirectoriesAreSearchedWhenThePathHasNoMemcached() {
		assumeTrue(Stream.of("/usr/bin", "/usr/local/bin", "/usr/sbin")
			.anyMatch((directory) -> Files.isExecutable(Path.of(directory, "memcached"))));
		Path located = MemcachedBinary.locate(Map.<String, String>of()::get, Map.of("PATH", "/nonexistent")::get);
		assertThat(located.getParent()).isIn(Path.of("/usr/bin"), Path.of("/usr/local/bin"), Path.of("/usr/sbin"));
	}

	@Test
	void aFileThatIsNotExecutableIsNotUsed(@TempDir Path directory) throws IOException {
		Path plain = Files.createFile(directory.resolve("memcached"));
		assertThatExceptionOfType(MemcachedNotInstalledException.class)
			.isThrownBy(() -> MemcachedBinary.locate(Map.of(MemcachedBinary.PROPERTY, plain.toString())::get,
					Map.<String, String>of()::get))
			.withMessageContaining("not executable");
	}

	private static Path executable(Path path) throws IOException {
		Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
		return path;
	}

}
