package io.memquorum.autoconfigure;

import java.security.Security;

import io.memquorum.node.JvmDnsCache;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The JVM's DNS cache is bounded only for applications that use memquorum, and never over
 * a setting the JVM already has. The setting is JVM-wide, so the steps run in one test,
 * in order.
 */
class MemquorumDnsCacheDefaultsTests {

	private final MemquorumDnsCacheDefaults defaults = new MemquorumDnsCacheDefaults();

	@Test
	void boundsTheDnsCacheOnlyWhenServersAreSetAndNeverOverAnExistingSetting() {
		assumeTrue(
				Security.getProperty(JvmDnsCache.TTL_SECURITY_PROPERTY) == null
						&& System.getProperty(JvmDnsCache.TTL_SYSTEM_PROPERTY) == null,
				"this JVM already bounds its DNS cache");
		this.defaults.postProcessEnvironment(new MockEnvironment().withProperty("memquorum.dns-cache-ttl", "7s"),
				new SpringApplication());
		assertThat(Security.getProperty(JvmDnsCache.TTL_SECURITY_PROPERTY)).as("without memquorum.servers").isNull();
		this.defaults.postProcessEnvironment(new MockEnvironment().withProperty("memquorum.servers", "127.0.0.1:11211")
			.withProperty("memquorum.dns-cache-ttl", "7s"), new SpringApplication());
		assertThat(Security.getProperty(JvmDnsCache.TTL_SECURITY_PROPERTY)).isEqualTo("7");
		this.defaults.postProcessEnvironment(new MockEnvironment().withProperty("memquorum.servers", "127.0.0.1:11211")
			.withProperty("memquorum.dns-cache-ttl", "9s"), new SpringApplication());
		assertThat(Security.getProperty(JvmDnsCache.TTL_SECURITY_PROPERTY)).as("an existing setting wins")
			.isEqualTo("7");
	}

}
