package io.memquorum.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.jspecify.annotations.Nullable;

/**
 * The file memcached's {@code -Y} option reads its users from: one {@code user:password}
 * line, readable by the current user only.
 */
final class AuthFile {

	private AuthFile() {
	}

	static Path write(MemcachedCredentials credentials) {
		try {
			Path file = Files.createTempFile("memquorum-memcached-auth-", ".txt",
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			Files.writeString(file, credentials.authFileLine(), StandardCharsets.UTF_8);
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not write an auth file for memcached", ex);
		}
	}

	static void delete(@Nullable Path file) {
		if (file == null) {
			return;
		}
		try {
			Files.deleteIfExists(file);
		}
		catch (IOException ex) {
			// A temporary file left behind holds only a test password.
		}
	}

}
