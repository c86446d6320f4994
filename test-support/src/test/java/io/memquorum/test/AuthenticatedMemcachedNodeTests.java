package io.memquorum.test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for nodes started with {@link MemcachedOptions#withCredentials(String, String)},
 * against real memcached.
 */
class AuthenticatedMemcachedNodeTests {

	private MemcachedNode node;

	@AfterEach
	void close() {
		if (this.node != null) {
			this.node.close();
		}
	}

	@Test
	void aNodeWithCredentialsRefusesACommandFromAConnectionThatDidNotAuthenticate() throws Exception {
		this.node = MemcachedNode.start(MemcachedOptions.defaults().withCredentials("app", "s3cret"));
		assertThat(converse("version\r\n")).isEqualTo("CLIENT_ERROR unauthenticated");
		assertThat(converse("set x 0 0 9\r\napp wrong\r\n")).isEqualTo("CLIENT_ERROR authentication failure");
		assertThat(converse("set x 0 0 10\r\napp s3cret\r\n")).isEqualTo("STORED");
	}

	@Test
	void rawOperationsAuthenticateThemselvesAndSurviveARestart() {
		this.node = MemcachedNode.start(MemcachedOptions.defaults().withCredentials("app", "s3cret"));
		this.node.rawSet("k", "v".getBytes(StandardCharsets.UTF_8), 0, 0);
		assertThat(this.node.rawGet("k")).asString(StandardCharsets.UTF_8).isEqualTo("v");
		this.node.restartEmpty();
		assertThat(this.node.rawGet("k")).isNull();
		assertThat(this.node.stats()).containsKey("pid");
	}

	@Test
	void credentialsWithSpacesAreRejectedBeforeStarting() {
		assertThatIllegalArgumentException().isThrownBy(() -> MemcachedOptions.defaults().withCredentials("a b", "x"))
			.withMessageContaining("username");
		assertThatIllegalArgumentException().isThrownBy(() -> MemcachedOptions.defaults().withCredentials("a", "x y"))
			.withMessageContaining("password");
	}

	@Test
	void optionsDoNotShowThePassword() {
		assertThat(MemcachedOptions.defaults().withCredentials("app", "s3cret").toString()).contains("app")
			.doesNotContain("s3cret");
	}

	private String converse(String request) throws Exception {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(this.node.host(), this.node.port()), 2000);
			socket.setSoTimeout(2000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
				.readLine();
		}
	}

}
