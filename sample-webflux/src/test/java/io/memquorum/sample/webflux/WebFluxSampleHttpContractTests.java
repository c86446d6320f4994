package io.memquorum.sample.webflux;

import java.net.http.HttpResponse;
import java.util.List;

import com.jayway.jsonpath.JsonPath;
import io.memquorum.sample.contract.SampleAppClient;
import io.memquorum.sample.contract.SampleHttpContract;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The WebFlux sample passes the HTTP contract of both samples
 * ({@link SampleHttpContract}) on a running Netty server and three real memcached nodes,
 * and what its reactive sessions add: Boot's sessions endpoint, one session per user, a
 * logout that stays final when a paused replica comes back, and a session the servlet
 * store wrote.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "sample.backend.latency=50ms")
@DirtiesContext
class WebFluxSampleHttpContractTests extends SampleHttpContract {

	private static final String SESSION_COOKIE = "SESSION";

	@Test
	void theSessionsEndpointListsTheSignedInUsersSession() {
		this.client.logIn("bob", "bob-pass");
		HttpResponse<String> sessions = this.client.get("/actuator/sessions?username=bob");
		assertThat(sessions.statusCode()).isEqualTo(200);
		List<String> ids = JsonPath.read(sessions.body(), "$.sessions[*].id");
		assertThat(ids).containsExactly(sessionId(this.client));
	}

	/**
	 * The sample allows one session per user ({@code sample.sessions.maximum-per-user}):
	 * the second sign-in succeeds and expires the first session, which is deleted from
	 * memcached, so the first browser is signed out at its next request.
	 */
	@Test
	void aSecondSignInOfTheSameUserExpiresTheFirstSession() {
		SampleAppClient first = this.client;
		first.logIn("alice", "alice-pass");
		assertThat(first.get("/api/me").statusCode()).isEqualTo(200);
		SampleAppClient second = new SampleAppClient(this.port);
		HttpResponse<String> login = second.logIn("alice", "alice-pass");
		assertThat(login.headers().firstValue("Location")).hasValueSatisfying((url) -> assertThat(url).endsWith("/"));
		assertThat(second.get("/api/me").statusCode()).isEqualTo(200);
		assertThat(first.get("/api/me").statusCode()).isEqualTo(401);
		List<String> ids = JsonPath.read(second.get("/actuator/sessions?username=alice").body(), "$.sessions[*].id");
		assertThat(ids).containsExactly(sessionId(second));
	}

	/**
	 * Pause: one replica misses the logout's delete. When it resumes it still holds the
	 * signed-in session, and the old cookie must still find no session: the logout is
	 * final, whichever replica a read asks first.
	 */
	@Test
	void aLogoutWhileOneReplicaIsPausedStaysFinalAfterItResumes() {
		this.client.logIn("bob", "bob-pass");
		String cookie = this.client.cookie(SESSION_COOKIE).orElseThrow();
		// Writes return at quorum: wait until every replica, the one to be paused among
		// them, holds the session (the operations endpoint names the replicas of a
		// session).
		String replicas = "/actuator/memquorum/keys?session=" + sessionId(this.client);
		await().untilAsserted(
				() -> assertThat(JsonPath.<List<String>>read(this.client.get(replicas).body(), "$.replicas[*].holds"))
					.containsExactly("VALUE", "VALUE", "VALUE"));
		// The old cookie, replayed by another client, is signed in before the logout.
		SampleAppClient oldBrowser = new SampleAppClient(this.port);
		assertThat(oldBrowser.getWithCookie("/api/me", SESSION_COOKIE, cookie).statusCode()).isEqualTo(200);
		MemcachedNode paused = memcached.cluster().node(2);
		paused.pause();
		try {
			HttpResponse<String> logout = this.client.logOut();
			assertThat(logout.headers().firstValue("Location"))
				.hasValueSatisfying((url) -> assertThat(url).endsWith("/login?logout"));
		}
		finally {
			paused.resume();
		}
		for (int read = 0; read < 20; read++) {
			assertThat(oldBrowser.getWithCookie("/api/me", SESSION_COOKIE, cookie).statusCode()).as("read %d", read)
				.isEqualTo(401);
		}
	}

	/**
	 * WebFlux's session cookie holds the session id itself (the servlet stack's holds its
	 * base64).
	 */
	private static String sessionId(SampleAppClient client) {
		return client.cookie(SESSION_COOKIE).orElseThrow();
	}

}
