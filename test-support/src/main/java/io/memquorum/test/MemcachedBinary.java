package io.memquorum.test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * Locates the memcached executable.
 */
final class MemcachedBinary {

	static final String PROPERTY = "memquorum.memcached.binary";

	static final String ENVIRONMENT_VARIABLE = "MEMQUORUM_MEMCACHED_BINARY";

	private static final List<String> WELL_KNOWN_DIRECTORIES = List.of("/usr/bin", "/usr/local/bin", "/usr/sbin");

	private MemcachedBinary() {
	}

	static Path locate() {
		return locate(System::getProperty, System::getenv);
	}

	static Path locate(Function<String, @Nullable String> properties, Function<String, @Nullable String> environment) {
		String configured = properties.apply(PROPERTY);
		if (hasText(configured)) {
			return explicit(configured, "system property '" + PROPERTY + "'");
		}
		configured = environment.apply(ENVIRONMENT_VARIABLE);
		if (hasText(configured)) {
			return explicit(configured, "environment variable " + ENVIRONMENT_VARIABLE);
		}
		List<String> searched = new ArrayList<>();
		String path = environment.apply("PATH");
		if (hasText(path)) {
			for (String directory : path.split(File.pathSeparator)) {
				if (!directory.isEmpty()) {
					searched.add(directory);
				}
			}
		}
		for (String directory : WELL_KNOWN_DIRECTORIES) {
			if (!searched.contains(directory)) {
				searched.add(directory);
			}
		}
		for (String directory : searched) {
			Path candidate = candidate(directory);
			if (candidate != null && isExecutable(candidate)) {
				return candidate;
			}
		}
		throw new MemcachedNotInstalledException(
				"memcached was not found on the PATH or in " + WELL_KNOWN_DIRECTORIES + ". " + installAdvice());
	}

	private static Path explicit(String configured, String source) {
		Path binary;
		try {
			binary = Path.of(configured);
		}
		catch (InvalidPathException ex) {
			throw new MemcachedNotInstalledException("memcached binary '" + configured + "' set by " + source
					+ " is not a valid path. " + installAdvice());
		}
		if (!isExecutable(binary)) {
			throw new MemcachedNotInstalledException("memcached binary '" + configured + "' set by " + source
					+ " does not exist or is not executable. " + installAdvice());
		}
		return binary;
	}

	private static @Nullable Path candidate(String directory) {
		try {
			return Path.of(directory, "memcached");
		}
		catch (InvalidPathException ex) {
			// A malformed PATH entry should not hide a valid one later on.
			return null;
		}
	}

	private static boolean isExecutable(Path binary) {
		return Files.isRegularFile(binary) && Files.isExecutable(binary);
	}

	private static boolean hasText(@Nullable String value) {
		return value != null && !value.isBlank();
	}

	static String installAdvice() {
		return "Install memcached 1.6 with 'sudo apt-get install -y memcached' (Debian/Ubuntu) or "
				+ "'brew install memcached' (macOS), or point the system property '" + PROPERTY
				+ "' or the environment variable " + ENVIRONMENT_VARIABLE + " at a memcached executable.";
	}

}
