package io.memquorum.discovery;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The three forms of a server entry, and what a malformed one says.
 */
class ServerEntryTests {

	@Test
	void parsesTheThreeForms() {
		assertThat(ServerEntry.parse("127.0.0.1:11211")).isInstanceOf(ServerEntry.Fixed.class);
		assertThat(ServerEntry.parse(" dns+memcached:11211")).isEqualTo(new ServerEntry.Dns("memcached", 11211));
		assertThat(ServerEntry.parse("DNSSRV+_memcache._tcp.mc")).isEqualTo(new ServerEntry.Srv("_memcache._tcp.mc"));
	}

	@Test
	void aMalformedEntrySaysWhichFormItExpected() {
		assertThatIllegalArgumentException().isThrownBy(() -> ServerEntry.parse("dns+memcached"))
			.withMessageContaining("dns+name:port");
		assertThatIllegalArgumentException().isThrownBy(() -> ServerEntry.parse("dnssrv+mc:11211"))
			.withMessageContaining("without a port");
		assertThatIllegalArgumentException().isThrownBy(() -> ServerEntry.parse("dnssrvnoa+mc:11211"))
			.withMessageContaining("unknown prefix");
	}

	@Test
	void searchDomainsComeFirstForShortNamesAsTheCLibraryDoes() {
		SearchDomains domains = new SearchDomains(java.util.List.of("default.svc.cluster.local", "svc.cluster.local"),
				5);
		assertThat(domains.candidates("memcached")).containsExactly("memcached.default.svc.cluster.local",
				"memcached.svc.cluster.local", "memcached");
		assertThat(domains.candidates("mc.example.com.")).containsExactly("mc.example.com");
	}

}
