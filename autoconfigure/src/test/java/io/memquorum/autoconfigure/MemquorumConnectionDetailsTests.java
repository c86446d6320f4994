package io.memquorum.autoconfigure;

import java.util.List;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAddress;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.memquorum.autoconfigure.InvalidConfiguration.UNREACHABLE;
import static io.memquorum.autoconfigure.InvalidConfiguration.failsWith;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the {@link MemquorumConnectionDetails} of {@link MemquorumAutoConfiguration}:
 * the properties are the default source, and a user's bean wins.
 */
class MemquorumConnectionDetailsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MemquorumAutoConfiguration.class));

	@Test
	void whenServersAreSetThenConnectionDetailsComeFromTheProperties() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE).run((context) -> {
			assertThat(context).hasSingleBean(MemquorumConnectionDetails.class)
				.hasSingleBean(PropertiesMemquorumConnectionDetails.class);
			assertThat(context.getBean(MemquorumConnectionDetails.class).getServers())
				.containsExactly(UNREACHABLE.split(","));
		});
	}

	@Test
	void whenUserDefinesConnectionDetailsThenTheyWinOverTheProperties() {
		this.runner.withPropertyValues("memquorum.servers=" + UNREACHABLE)
			.withUserConfiguration(UserConnectionDetailsConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(MemquorumConnectionDetails.class)
					.doesNotHaveBean(PropertiesMemquorumConnectionDetails.class);
				assertThat(context.getBean(ReplicatedMemcached.class).placement().nodes()).map(NodeAddress::toString)
					.containsExactly("127.0.0.1:7", "127.0.0.1:8");
			});
	}

	@Test
	void whenUserDefinesConnectionDetailsWithoutServerPropertiesThenMemquorumIsOn() {
		this.runner.withUserConfiguration(UserConnectionDetailsConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(ReplicatedMemcached.class));
	}

	@Test
	void whenUserConnectionDetailsGiveAUsernameWithoutAPasswordThenStartupFailsNamingThePassword() {
		this.runner.withUserConfiguration(UsernameOnlyConfiguration.class)
			.run(failsWith("memquorum.password", "memquorum.username is set"));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserConnectionDetailsConfiguration {

		@Bean
		MemquorumConnectionDetails userConnectionDetails() {
			return () -> List.of("127.0.0.1:7", "127.0.0.1:8");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UsernameOnlyConfiguration {

		@Bean
		MemquorumConnectionDetails userConnectionDetails() {
			return new MemquorumConnectionDetails() {

				@Override
				public List<String> getServers() {
					return List.of("127.0.0.1:7");
				}

				@Override
				public String getUsername() {
					return "app";
				}

			};
		}

	}

}
