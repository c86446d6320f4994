package io.memquorum.autoconfigure.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;

import org.jspecify.annotations.Nullable;

/**
 * One user's browser: keeps the {@code SESSION} cookie across requests, over a real HTTP
 * connection to the application.
 */
final class Browser {

	static final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final String baseUrl;

	private volatile @Nullable String sessionCookie;

	Browser(int port) {
		this.baseUrl = "http://127.0.0.1:" + port;
	}

	@Nullable String sessionCookie() {
		return this.sessionCookie;
	}

	void sessionCookie(@Nullable String value) {
		this.sessionCookie = value;
	}

	/**
	 * The session id the cookie carries.
	 * @return the id
	 */
	String sessionId() {
		return new String(Base64.getDecoder().decode(this.sessionCookie));
	}

	HttpResponse<String> get(String path) {
		return send(HttpRequest.newBuilder(URI.create(this.baseUrl + path)).GET());
	}

	HttpResponse<String> post(String path, String form) {
		return send(HttpRequest.newBuilder(URI.create(this.baseUrl + path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form)));
	}

	HttpResponse<String> login(String user) {
		return post("/login", "username=" + user + "&password=secret");
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		String cookie = this.sessionCookie;
		if (cookie != null) {
			request.header("Cookie", "SESSION=" + cookie);
		}
		request.timeout(Duration.ofSeconds(20));
		try {
			HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
			for (String setCookie : response.headers().allValues("set-cookie")) {
				if (setCookie.startsWith("SESSION=")) {
					String value = setCookie.substring("SESSION=".length(), setCookie.indexOf(';'));
					this.sessionCookie = value.isEmpty() ? null : value;
				}
			}
			return response;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
