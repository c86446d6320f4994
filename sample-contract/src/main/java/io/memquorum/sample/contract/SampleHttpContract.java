package io.memquorum.sample.contract;

import java.net.http.HttpResponse;
import java.time.Duration;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP contract that the README tour and automation rely on, against a running
 * application and three real memcached nodes. Both samples pass it: each has a test class
 * that extends this one with {@code @SpringBootTest(webEnvironment = RANDOM_PORT)}, so
 * the servlet and the WebFlux sample answer the same requests the same way.
 */
public abstract class SampleHttpContract {

	@RegisterExtension
	protected static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@DynamicPropertySource
	static void memcachedServers(DynamicPropertyRegistry registry) {
		registry.add("memquorum.servers", () -> memcached.cluster().servers());
	}

	@LocalServerPort
	protected int port;

	protected SampleAppClient client;

	@Autowired
	protected ReplicatedMemcached engine;

	@BeforeEach
	void newClient() {
		this.client = new SampleAppClient(this.port);
	}

	/**
	 * The application outlives the test methods, while the extension restarts any node a
	 * previous test killed: every test starts once the engine sees three nodes serving
	 * reads again, so that a test's own fault is the only one.
	 */
	@BeforeEach
	void everyNodeServesReads() {
		await().atMost(Duration.ofSeconds(15))
			.untilAsserted(() -> assertThat(this.engine.nodeStatus())
				.allSatisfy((node) -> assertThat(node.readable()).as("%s serves reads", node.address()).isTrue()));
	}

	@Test
	void loginPageIsAFormWithAHiddenCsrfInput() {
		HttpResponse<String> page = this.client.get("/login");
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("name=\"username\"", "name=\"password\"");
		assertThat(SampleAppClient.hiddenCsrfToken(page.body())).isNotBlank();
	}

	@Test
	void meAnswers401WithoutRedirectWhenNotLoggedIn() {
		HttpResponse<String> me = this.client.get("/api/me");
		assertThat(me.statusCode()).isEqualTo(401);
		assertThat(me.headers().firstValue("Location")).isEmpty();
	}

	@Test
	void homePageRedirectsToLoginWhenNotLoggedIn() {
		HttpResponse<String> home = this.client.get("/");
		assertThat(home.statusCode()).isEqualTo(302);
		assertThat(home.headers().firstValue("Location"))
			.hasValueSatisfying((url) -> assertThat(url).endsWith("/login"));
	}

	@Test
	void loggingInWithTheFormMakesMeAnswerTheUsername() {
		HttpResponse<String> login = this.client.logIn("alice", "alice-pass");
		assertThat(login.statusCode()).isEqualTo(302);
		assertThat(login.headers().firstValue("Location")).hasValueSatisfying((url) -> assertThat(url).endsWith("/"));
		HttpResponse<String> me = this.client.get("/api/me");
		assertThat(me.statusCode()).isEqualTo(200);
		assertThat(me.body()).isEqualTo("{\"username\":\"alice\"}");
	}

	@Test
	void sessionOfALoggedInUserIsStoredOnEveryNodeAndSurvivesTheRestartOfOneEmpty() {
		this.client.logIn("alice", "alice-pass");
		memcached.cluster()
			.nodes()
			.forEach((node) -> await().untilAsserted(() -> assertThat(node.keys()).as("keys on %s", node)
				.anyMatch((key) -> key.startsWith("session:") && !key.startsWith("session:index:"))));
		memcached.cluster().node(0).restartEmpty();
		assertThat(this.client.get("/api/me").body()).isEqualTo("{\"username\":\"alice\"}");
	}

	@Test
	void wrongPasswordSendsBackToTheLoginPageWithAnError() {
		HttpResponse<String> login = this.client.logIn("bob", "alice-pass");
		assertThat(login.headers().firstValue("Location"))
			.hasValueSatisfying((url) -> assertThat(url).endsWith("/login?error"));
		assertThat(this.client.get("/api/me").statusCode()).isEqualTo(401);
	}

	@Test
	void homePageShowsTheUserEachNodeWithItsStateHitsAndMissesAndCsrfMetaTags() {
		this.client.logIn("bob", "bob-pass");
		HttpResponse<String> home = this.client.get("/");
		assertThat(home.statusCode()).isEqualTo(200);
		assertThat(home.body()).contains("<strong id=\"username\">bob</strong>")
			.contains("<meta name=\"_csrf_header\" content=\"X-CSRF-TOKEN\">")
			.contains("id=\"logout-form\"");
		assertThat(this.client.metaCsrfToken()).isNotBlank();
		for (String address : memcached.cluster().servers().split(",")) {
			assertThat(home.body()).contains("data-node=\"" + address + "\"");
		}
		assertThat(home.body()).contains("class=\"state up\"", "class=\"hits\"", "class=\"misses\"");
	}

	@Test
	void clusterPanelShowsEachNodesRefillAsAProgressBarThatFillsAgainAfterARestartEmpty() {
		this.client.logIn("bob", "bob-pass");
		await().untilAsserted(() -> assertThat(this.client.get("/api/cluster").body())
			.contains("\"refill\":{\"phase\":\"complete\",\"percent\":100"));
		assertThat(this.client.get("/").body()).contains("class=\"refill-bar complete\"", "width: 100%");
		memcached.cluster().node(2).restartEmpty();
		String restarted = memcached.cluster().node(2).address();
		await().untilAsserted(
				() -> assertThat(this.client.get("/api/cluster").body()).contains("\"address\":\"" + restarted + "\"")
					.doesNotContain("\"summary\":\"not checked yet\""));
		await().untilAsserted(() -> assertThat(this.client.get("/api/cluster").body())
			.doesNotContain("\"phase\":\"refilling\"", "\"phase\":\"incomplete\"")
			.contains("\"restarts\":1"));
	}

	@Test
	void logoutNeedsTheCsrfTokenAndEndsTheSession() {
		this.client.logIn("alice", "alice-pass");
		assertThat(this.client.postForm("/logout", "").statusCode()).isEqualTo(403);
		assertThat(this.client.get("/api/me").statusCode()).isEqualTo(200);
		HttpResponse<String> logout = this.client.logOut();
		assertThat(logout.headers().firstValue("Location"))
			.hasValueSatisfying((url) -> assertThat(url).endsWith("/login?logout"));
		assertThat(this.client.get("/api/me").statusCode()).isEqualTo(401);
	}

	@Test
	void productIsLoadedFromTheBackendOnceAndThenFromTheCache() {
		long before = backendCalls();
		HttpResponse<String> first = this.client.get("/api/products/7");
		HttpResponse<String> second = this.client.get("/api/products/7");
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.body()).contains("\"id\":7", "\"name\":\"Pepper mill #7\"");
		assertThat(second.body()).isEqualTo(first.body());
		assertThat(backendCalls()).isEqualTo(before + 1);
	}

	@Test
	void cachedProductSurvivesTheRestartOfOneNodeEmpty() {
		this.client.get("/api/products/8");
		long before = backendCalls();
		memcached.cluster().node(1).restartEmpty();
		for (int i = 0; i < 5; i++) {
			assertThat(this.client.get("/api/products/8").statusCode()).isEqualTo(200);
		}
		assertThat(backendCalls()).isEqualTo(before);
	}

	@Test
	void unknownProductIsNotFound() {
		assertThat(this.client.get("/api/products/1001").statusCode()).isEqualTo(404);
	}

	@Test
	void sessionAttributeStoredWithTheCsrfHeaderIsListed() {
		this.client.logIn("alice", "alice-pass");
		String csrf = this.client.metaCsrfToken();
		HttpResponse<String> put = this.client.put("/api/session/attributes/colour", "blue", csrf);
		assertThat(put.statusCode()).isEqualTo(200);
		HttpResponse<String> attributes = this.client.get("/api/session/attributes");
		assertThat(attributes.statusCode()).isEqualTo(200);
		assertThat(attributes.body()).contains("\"colour\":\"blue\"")
			.contains(
					"\"SPRING_SECURITY_CONTEXT\":\"<org.springframework.security.core.context.SecurityContextImpl>\"");
	}

	@Test
	void sessionAttributeWithoutTheCsrfHeaderIsForbidden() {
		this.client.logIn("alice", "alice-pass");
		assertThat(this.client.put("/api/session/attributes/colour", "blue", null).statusCode()).isEqualTo(403);
		assertThat(this.client.get("/api/session/attributes").body()).doesNotContain("colour");
	}

	@Test
	void sessionAttributeWithAReservedNameIsRejected() {
		this.client.logIn("alice", "alice-pass");
		String csrf = this.client.metaCsrfToken();
		assertThat(this.client.put("/api/session/attributes/SPRING_SECURITY_CONTEXT", "x", csrf).statusCode())
			.isEqualTo(400);
		assertThat(this.client.get("/api/me").body()).contains("alice");
	}

	@Test
	void sessionAttributesNeedALogin() {
		assertThat(this.client.get("/api/session/attributes").statusCode()).isEqualTo(401);
	}

	@Test
	void healthShowsEachMemcachedNode() {
		HttpResponse<String> health = this.client.get("/actuator/health");
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(health.body()).contains("\"memquorum\"");
		for (String address : memcached.cluster().servers().split(",")) {
			assertThat(health.body()).contains(address);
		}
	}

	@Test
	void metricsCachesAndSessionsEndpointsAreExposedToLoggedInUsers() {
		assertThat(this.client.get("/actuator/metrics").statusCode()).isEqualTo(401);
		this.client.logIn("alice", "alice-pass");
		this.client.get("/api/products/9");
		assertThat(this.client.get("/actuator/metrics/memquorum.node.operations").statusCode()).isEqualTo(200);
		assertThat(this.client.get("/actuator/caches").body()).contains("\"products\"");
		assertThat(this.client.get("/actuator/sessions?username=alice").statusCode()).isEqualTo(200);
	}

	@Test
	void theMemquorumEndpointShowsNodesAndKeysToLoggedInUsersAndVerifiesANode() {
		assertThat(this.client.get("/actuator/memquorum").statusCode()).isEqualTo(401);
		this.client.logIn("alice", "alice-pass");
		this.client.get("/api/products/11");
		HttpResponse<String> nodes = this.client.get("/actuator/memquorum");
		assertThat(nodes.statusCode()).isEqualTo(200);
		for (String address : memcached.cluster().servers().split(",")) {
			assertThat(nodes.body()).contains("\"address\":\"" + address + "\"");
		}
		HttpResponse<String> key = this.client.get("/actuator/memquorum/keys/%23Long(11)?cache=products");
		assertThat(key.statusCode()).isEqualTo(200);
		assertThat(key.body()).contains("\"storageKey\":\"products::#Long(11)\"").contains("\"holds\":\"VALUE\"");
		String node = memcached.cluster().node(0).address();
		HttpResponse<String> verify = this.client.post("/actuator/memquorum/nodes/" + node + "/verify",
				this.client.metaCsrfToken());
		assertThat(verify.statusCode()).as(verify.body()).isEqualTo(202);
	}

	protected long backendCalls() {
		String body = this.client.get("/api/backend-calls").body();
		return Long.parseLong(body.replaceAll("\\D", ""));
	}

}
