package io.memquorum.autoconfigure;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Quiets the memcached client's own logging by default. xmemcached logs every refused
 * reconnect at ERROR with a stack trace, many times a second while a node is down;
 * memquorum already logs each node's state changes once. The levels are added as the last
 * property source, so any {@code logging.level.*} the application sets wins.
 */
public class MemquorumLoggingDefaults implements EnvironmentPostProcessor {

	static final String PROPERTY_SOURCE_NAME = "memquorumLoggingDefaults";

	private static final Map<String, Object> DEFAULTS = Map.of("logging.level.com.google.code.yanf4j", "off",
			"logging.level.remoting", "off", "logging.level.net.rubyeye.xmemcached", "warn",
			"logging.level.net.rubyeye.xmemcached.impl.Optimizer", "error");

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (!environment.getPropertySources().contains(PROPERTY_SOURCE_NAME)) {
			environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE_NAME, DEFAULTS));
		}
	}

}
