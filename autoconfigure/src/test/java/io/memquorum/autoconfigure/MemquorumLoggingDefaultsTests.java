package io.memquorum.autoconfigure;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class MemquorumLoggingDefaultsTests {

	@Test
	void memcachedClientReconnectNoiseIsOffByDefault() {
		StandardEnvironment environment = new StandardEnvironment();
		new MemquorumLoggingDefaults().postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("logging.level.com.google.code.yanf4j")).isEqualTo("off");
		assertThat(environment.getProperty("logging.level.net.rubyeye.xmemcached")).isEqualTo("warn");
	}

	@Test
	void applicationLogLevelsWinOverTheDefaults() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("application", Map.of("logging.level.com.google.code.yanf4j", "debug")));
		new MemquorumLoggingDefaults().postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("logging.level.com.google.code.yanf4j")).isEqualTo("debug");
	}

	@Test
	void aStartingApplicationPicksTheDefaultsUp() {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Empty.class)
			.web(WebApplicationType.NONE)
			.run()) {
			assertThat(context.getEnvironment()
				.getPropertySources()
				.contains(MemquorumLoggingDefaults.PROPERTY_SOURCE_NAME)).isTrue();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Empty {

	}

}
