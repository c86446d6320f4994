package io.memquorum.autoconfigure.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.memquorum.engine.NodeState;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sessions stored as JSON ({@code memquorum.session.serializer=json}) behind a real web
 * application with Spring Security form login, on embedded Tomcat, reached over HTTP,
 * while memcached nodes restart empty.
 */
class JsonSessionsOverHttpTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private static ConfigurableApplicationContext app;

	@BeforeAll
	static void startApplication() {
		app = new SpringApplicationBuilder(SessionTestApplication.class)
			.properties("server.port=0", "spring.main.banner-mode=off",
					"test.memcached.servers=" + memcached.cluster().servers(), "memquorum.session.serializer=json")
			.run();
	}

	@AfterAll
	static void stopApplication() {
		app.close();
	}

	@BeforeEach
	void awaitHealthyEngine() {
		ReplicatedMemcached engine = app.getBean(ReplicatedMemcached.class);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> engine.nodeStatus()
				.stream()
				.allMatch((status) -> status.state() == NodeState.UP && status.pendingHints() == 0));
	}

	private static Browser browser() {
		return new Browser(app.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
	}

	@Test
	void signedInUsersStayLoggedInWhileEachNodeRestartsEmptyInTurn() {
		List<Browser> browsers = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			Browser browser = browser();
			// Spring Security saves the refused request in the session before login.
			assertThat(browser.get("/me").statusCode()).isEqualTo(401);
			assertThat(browser.login("user-" + i).statusCode()).isEqualTo(200);
			assertThat(browser.post("/attributes", "name=theme&value=dark-" + i).statusCode()).isEqualTo(200);
			browsers.add(browser);
		}
		// The principal index reads sessions back through the JSON serializer too.
		assertThat(browsers.get(0).get("/sessions?user=user-5").body()).isEqualTo("1");
		for (int node = 0; node < 3; node++) {
			memcached.cluster().node(node).restartEmpty();
			for (int i = 0; i < browsers.size(); i++) {
				assertThat(browsers.get(i).get("/me").body()).isEqualTo("user-" + i);
			}
			awaitHealthyEngine();
		}
		assertThat(browsers.get(3).get("/attributes").body()).contains("dark-3");
	}

	@Test
	void theStoredSessionIsJsonAPersonCanRead() throws Exception {
		Browser browser = browser();
		assertThat(browser.login("frank").statusCode()).isEqualTo(200);
		String key = "session:" + HexFormat.of()
			.formatHex(
					MessageDigest.getInstance("SHA-256").digest(browser.sessionId().getBytes(StandardCharsets.UTF_8)));
		await().untilAsserted(() -> assertThat(memcached.cluster().node(2).rawGet(key)).isNotNull());
		String stored = new String(memcached.cluster().node(2).rawGet(key), StandardCharsets.ISO_8859_1);
		assertThat(stored).contains("\"type\":\"org.springframework.security.core.context.SecurityContextImpl\"")
			.contains("\"username\":\"frank\"");
	}

	@Test
	void thePreLoginSessionIdNoLongerWorksAfterLogin() {
		Browser browser = browser();
		assertThat(browser.get("/public/ping").body()).isEqualTo("pong");
		String preLogin = browser.sessionCookie();
		assertThat(browser.login("erin").statusCode()).isEqualTo(200);
		assertThat(browser.sessionCookie()).isNotNull().isNotEqualTo(preLogin);
		assertThat(browser.get("/me").body()).isEqualTo("erin");
		Browser attacker = browser();
		attacker.sessionCookie(preLogin);
		assertThat(attacker.get("/me").statusCode()).isEqualTo(401);
	}

}
