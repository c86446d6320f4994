package io.memquorum.discovery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import io.memquorum.test.DnsmasqServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * {@code dns+} and {@code dnssrv+} entries resolved against a real DNS server (dnsmasq on
 * a loopback port), and what a DNS server that stops answering leaves.
 */
class DnsDiscoveryTests {

	private DnsmasqServer dns;

	private NodeDiscovery discovery;

	@BeforeEach
	void startDns() {
		assumeThat(DnsmasqServer.locate()).as(DnsmasqServer.notInstalledMessage()).isNotNull();
		this.dns = DnsmasqServer.start();
	}

	@AfterEach
	void stop() {
		if (this.discovery != null) {
			this.discovery.close();
		}
		if (this.dns != null) {
			this.dns.close();
		}
	}

	private NodeDiscovery discover(String... servers) {
		this.discovery = NodeDiscovery.of(List.of(servers), this.dns.address(), Duration.ofMillis(300),
				Duration.ofHours(1));
		return this.discovery;
	}

	@Test
	void dnsEntryIsEveryAddressOfTheNameOnItsPortAndFollowsTheRecords() {
		this.dns.setAddresses("memcached.test", "127.0.0.11", "127.0.0.12");
		NodeDiscovery discovery = discover("dns+memcached.test:11211", "127.0.0.1:11299");
		assertThat(discovery.start()).map(Object::toString)
			.containsExactlyInAnyOrder("127.0.0.11:11211", "127.0.0.12:11211", "127.0.0.1:11299");
		this.dns.setAddresses("memcached.test", "127.0.0.11", "127.0.0.12", "127.0.0.13");
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.until(() -> discovery.resolveNow() != null || discovery.nodeNames().size() == 4);
		assertThat(discovery.nodeNames()).contains("127.0.0.13:11211").hasSize(4);
		assertThat(discovery.changes()).singleElement().satisfies((change) -> {
			assertThat(change.added()).containsExactly("127.0.0.13:11211");
			assertThat(change.removed()).isEmpty();
		});
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new DiscoveryMeterBinder(discovery).bindTo(registry);
		assertThat(registry.get("memquorum.discovery.nodes").gauge().value()).isEqualTo(4);
		assertThat(registry.get("memquorum.discovery.changes").functionCounter().count()).isEqualTo(1);
		assertThat(registry.get("memquorum.discovery.last.change").gauge().value())
			.isEqualTo(discovery.changes().get(0).at().getEpochSecond());
		assertThat(registry.get("memquorum.discovery.failures").functionCounter().count()).isZero();
	}

	@Test
	void srvEntryIsTheTargetsByNameWithTheirPortsAndTheirCurrentAddresses() {
		this.dns.setAddresses("mc-0.mc.test", "127.0.0.21");
		this.dns.setAddresses("mc-1.mc.test", "127.0.0.22");
		this.dns.setServices("_memcache._tcp.mc.test", List.of("mc-0.mc.test:11211", "mc-1.mc.test:11212"));
		NodeDiscovery discovery = discover("dnssrv+_memcache._tcp.mc.test");
		assertThat(discovery.start()).map(Object::toString)
			.containsExactlyInAnyOrder("mc-0.mc.test:11211", "mc-1.mc.test:11212");
		assertThat(discovery.addressOf("mc-1.mc.test").getHostAddress()).isEqualTo("127.0.0.22");
		assertThat(discovery.nodes())
			.allSatisfy((node) -> assertThat(node.toSocketAddress().getAddress().getHostAddress())
				.isEqualTo(discovery.targetAddresses().get(node.host())));
	}

	@Test
	void aPodAtANewAddressUnderTheSameSrvNameIsTheSameNodeReachedElsewhere() {
		this.dns.setAddresses("mc-0.mc.test", "127.0.0.21");
		this.dns.setServices("_memcache._tcp.mc.test", List.of("mc-0.mc.test:11211"));
		NodeDiscovery discovery = discover("dnssrv+_memcache._tcp.mc.test");
		discovery.start();
		this.dns.setAddresses("mc-0.mc.test", "127.0.0.31");
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(discovery.resolveNow()).isNull();
			assertThat(discovery.addressOf("mc-0.mc.test").getHostAddress()).isEqualTo("127.0.0.31");
		});
		assertThat(discovery.nodeNames()).containsExactly("mc-0.mc.test:11211");
		assertThat(discovery.changes()).isEmpty();
	}

	@Test
	void aDnsServerThatStopsAnsweringLeavesTheNodeSetAsItWas() {
		this.dns.setAddresses("memcached.test", "127.0.0.11", "127.0.0.12");
		this.dns.setAddresses("mc-0.mc.test", "127.0.0.21");
		this.dns.setServices("_memcache._tcp.mc.test", List.of("mc-0.mc.test:11211"));
		NodeDiscovery discovery = discover("dns+memcached.test:11211", "dnssrv+_memcache._tcp.mc.test");
		List<String> before = discovery.start().stream().map(Object::toString).toList();
		assertThat(before).hasSize(3);
		this.dns.pause();
		assertThat(discovery.resolveNow()).isNull();
		assertThat(discovery.nodeNames()).isEqualTo(before);
		assertThat(discovery.addressOf("mc-0.mc.test").getHostAddress()).isEqualTo("127.0.0.21");
		assertThat(discovery.failingEntries()).containsOnlyKeys("dns+memcached.test:11211",
				"dnssrv+_memcache._tcp.mc.test");
		assertThat(discovery.failures()).isEqualTo(2);
		this.dns.resume();
		assertThat(discovery.resolveNow()).isNull();
		assertThat(discovery.failingEntries()).isEmpty();
	}

	@Test
	void aNodeMissingFromTheAnswersForLessThanTheRemovalGraceStays() {
		this.dns.setAddresses("memcached.test", "127.0.0.11", "127.0.0.12");
		MovableClock clock = new MovableClock();
		NodeDiscovery discovery = new NodeDiscovery(List.of(ServerEntry.parse("dns+memcached.test:11211")),
				NameLookup.of(this.dns.address(), Duration.ofMillis(300)), Duration.ofHours(1), clock,
				Duration.ofSeconds(30));
		this.discovery = discovery;
		discovery.start();
		// A blip: the address is missing for 20 s, then back.
		this.dns.setAddresses("memcached.test", "127.0.0.11");
		assertThat(discovery.resolveNow()).isNull();
		clock.advance(Duration.ofSeconds(20));
		assertThat(discovery.resolveNow()).isNull();
		assertThat(discovery.nodeNames()).containsExactly("127.0.0.11:11211", "127.0.0.12:11211");
		this.dns.setAddresses("memcached.test", "127.0.0.11", "127.0.0.12");
		assertThat(discovery.resolveNow()).isNull();
		clock.advance(Duration.ofSeconds(20));
		// Gone for good: removed once it has been missing for the grace, not before.
		this.dns.setAddresses("memcached.test", "127.0.0.11");
		assertThat(discovery.resolveNow()).isNull();
		clock.advance(Duration.ofSeconds(29));
		assertThat(discovery.resolveNow()).isNull();
		clock.advance(Duration.ofSeconds(1));
		NodeSetChange change = discovery.resolveNow();
		assertThat(change).isNotNull();
		assertThat(change.removed()).containsExactly("127.0.0.12:11211");
		assertThat(discovery.nodeNames()).containsExactly("127.0.0.11:11211");
		assertThat(discovery.changes()).hasSize(1);
	}

	/** A clock the test moves. */
	private static final class MovableClock extends Clock {

		private Instant now = Instant.parse("2026-12-08T00:00:00Z");

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

	@Test
	void recordsThatDisappearLeaveTheNodeSetAsItWas() {
		this.dns.setAddresses("mc-0.mc.test", "127.0.0.21");
		this.dns.setServices("_memcache._tcp.mc.test", List.of("mc-0.mc.test:11211"));
		NodeDiscovery discovery = discover("dnssrv+_memcache._tcp.mc.test");
		discovery.start();
		this.dns.setServices("_memcache._tcp.mc.test", List.of());
		assertThat(discovery.resolveNow()).isNull();
		assertThat(discovery.nodeNames()).containsExactly("mc-0.mc.test:11211");
		assertThat(discovery.failingEntries()).containsKey("dnssrv+_memcache._tcp.mc.test");
	}

	@Test
	void aNameThatDoesNotResolveAtStartFailsTheStartNamingTheEntry() {
		NodeDiscovery discovery = discover("dns+missing.test:11211");
		assertThatExceptionOfType(DiscoveryException.class).isThrownBy(discovery::start)
			.withMessageContaining("dns+missing.test:11211")
			.withMessageContaining(this.dns.address());
	}

}
