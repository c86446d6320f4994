package io.memquorum.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The operating system's hosts file, read again at every lookup (it is small, and an edit
 * must count at the next round).
 */
final class HostsFile {

	private final Path path;

	HostsFile(Path path) {
		this.path = path;
	}

	static HostsFile system() {
		String systemRoot = System.getenv("SystemRoot");
		boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
		return new HostsFile((windows && systemRoot != null)
				? Path.of(systemRoot, "System32", "drivers", "etc", "hosts") : Path.of("/etc/hosts"));
	}

	/**
	 * The addresses the file gives a name.
	 * @param name the host name
	 * @return the addresses, empty when the file does not name it or does not exist
	 * @throws IOException when the file cannot be read
	 */
	List<InetAddress> addresses(String name) throws IOException {
		List<String> lines;
		try {
			lines = Files.readAllLines(this.path, StandardCharsets.UTF_8);
		}
		catch (NoSuchFileException ex) {
			return List.of();
		}
		List<InetAddress> addresses = new ArrayList<>();
		for (String line : lines) {
			int comment = line.indexOf('#');
			String[] fields = ((comment >= 0) ? line.substring(0, comment) : line).trim().split("\\s+");
			if (fields.length < 2 || !isLiteral(fields[0])) {
				continue;
			}
			for (int i = 1; i < fields.length; i++) {
				if (fields[i].equalsIgnoreCase(name)) {
					try {
						addresses.add(InetAddress.getByName(fields[0]));
					}
					catch (UnknownHostException ex) {
						// Not an address after all: the line is skipped, as the C library
						// does.
					}
					break;
				}
			}
		}
		return addresses;
	}

	/**
	 * Only literals reach InetAddress.getByName, so that reading the file never asks DNS.
	 */
	private static boolean isLiteral(String field) {
		return !field.isEmpty() && field.chars().allMatch((c) -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')
				&& (field.indexOf(':') >= 0 || field.chars().allMatch((c) -> Character.isDigit(c) || c == '.'));
	}

}
