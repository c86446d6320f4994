package io.memquorum.autoconfigure;

import java.time.Duration;

import io.memquorum.node.JvmDnsCache;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Bounds how long the JVM remembers host name lookups ({@code memquorum.dns-cache-ttl}, 5
 * seconds by default) as early as Spring Boot allows, before anything resolves a name:
 * the JDK reads its setting once, at its first lookup, and keeps a successful one for 30
 * seconds, so a memcached pod rescheduled at a new address would stay out of reach that
 * long. Applies only when {@code memquorum.servers} is set, and never overrides a setting
 * the JVM already has ({@code networkaddress.cache.ttl} or {@code sun.net.inetaddr.ttl}).
 */
public class MemquorumDnsCacheDefaults implements EnvironmentPostProcessor {

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		Binder binder = Binder.get(environment);
		if (binder.bind("memquorum.servers", String[].class).map((servers) -> servers.length > 0).orElse(false)) {
			Duration ttl = binder.bind("memquorum.dns-cache-ttl", Duration.class).orElse(Duration.ofSeconds(5));
			if (!ttl.isNegative() && ttl.toSeconds() >= 1) {
				JvmDnsCache.bound(ttl);
			}
		}
	}

}
