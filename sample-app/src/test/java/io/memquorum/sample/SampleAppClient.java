package io.memquorum.sample;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Talks to the running sample application the way a script does: a cookie jar, no
 * redirects followed, and the CSRF token taken from the pages.
 */
final class SampleAppClient {

	private static final Pattern HIDDEN_CSRF = Pattern
		.compile("<input type=\"hidden\" name=\"_csrf\" value=\"([^\"]+)\"");

	private static final Pattern META_CSRF = Pattern.compile("<meta name=\"_csrf\" content=\"([^\"]+)\"");

	private final HttpClient http = HttpClient.newBuilder()
		.cookieHandler(new CookieManager())
		.followRedirects(HttpClient.Redirect.NEVER)
		.build();

	private final String baseUrl;

	SampleAppClient(int port) {
		this.baseUrl = "http://localhost:" + port;
	}

	HttpResponse<String> get(String path) {
		return send(HttpRequest.newBuilder(uri(path)).GET().build());
	}

	HttpResponse<String> put(String path, String body, String csrfToken) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "text/plain")
			.PUT(HttpRequest.BodyPublishers.ofString(body));
		if (csrfToken != null) {
			request.header("X-CSRF-TOKEN", csrfToken);
		}
		return send(request.build());
	}

	HttpResponse<String> post(String path, String csrfToken) {
		return send(HttpRequest.newBuilder(uri(path))
			.header("X-CSRF-TOKEN", csrfToken)
			.POST(HttpRequest.BodyPublishers.noBody())
			.build());
	}

	HttpResponse<String> postForm(String path, String form) {
		return send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build());
	}

	HttpResponse<String> logIn(String username, String password) {
		String csrf = hiddenCsrfToken(get("/login").body());
		return postForm("/login",
				"username=" + encode(username) + "&password=" + encode(password) + "&_csrf=" + encode(csrf));
	}

	HttpResponse<String> logOut() {
		return postForm("/logout", "_csrf=" + encode(metaCsrfToken()));
	}

	/**
	 * The CSRF token that the home page hands to scripts.
	 * @return the token
	 */
	String metaCsrfToken() {
		return find(META_CSRF, get("/").body());
	}

	static String hiddenCsrfToken(String html) {
		return find(HIDDEN_CSRF, html);
	}

	private static String find(Pattern pattern, String html) {
		Matcher matcher = pattern.matcher(html);
		if (!matcher.find()) {
			throw new IllegalStateException("No " + pattern + " in page:\n" + html);
		}
		return matcher.group(1);
	}

	private URI uri(String path) {
		return URI.create(this.baseUrl + path);
	}

	private HttpResponse<String> send(HttpRequest request) {
		try {
			return this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException("Request " + request + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while sending " + request, ex);
		}
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
