package io.memquorum.discovery;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hosts file is read as the C library reads it, and again at every lookup.
 */
class HostsFileTests {

	@Test
	void aNameIsEveryAddressOfEveryLineThatListsItAndAnEditCountsAtTheNextLookup(@TempDir Path directory)
			throws Exception {
		Path file = directory.resolve("hosts");
		Files.writeString(file, """
				127.0.0.1 localhost
				10.0.0.5 memcached memcached.local # the first
				# 10.0.0.9 memcached
				fd00::6 Memcached
				not-an-address memcached
				""");
		HostsFile hosts = new HostsFile(file);
		assertThat(hosts.addresses("memcached")).map((address) -> address.getHostAddress())
			.containsExactly("10.0.0.5", "fd00:0:0:0:0:0:0:6");
		Files.writeString(file, "10.0.0.7 memcached\n");
		assertThat(hosts.addresses("memcached")).map((address) -> address.getHostAddress()).containsExactly("10.0.0.7");
		assertThat(new HostsFile(directory.resolve("missing")).addresses("memcached")).isEmpty();
	}

}
