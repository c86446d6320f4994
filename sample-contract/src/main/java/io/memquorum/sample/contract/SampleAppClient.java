package io.memquorum.sample.contract;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Talks to the running sample application the way a script does: a cookie jar, no
 * redirects followed, and the CSRF token taken from the pages.
 */
public final class SampleAppClient {

	private static final Pattern HIDDEN_CSRF = Pattern
		.compile("<input type=\"hidden\" name=\"_csrf\" value=\"([^\"]+)\"");

	private static final Pattern META_CSRF = Pattern.compile("<meta name=\"_csrf\" content=\"([^\"]+)\"");

	private final CookieManager cookies = new CookieManager();

	private final HttpClient http = HttpClient.newBuilder()
		.cookieHandler(this.cookies)
		.followRedirects(HttpClient.Redirect.NEVER)
		.build();

	private final String baseUrl;

	public SampleAppClient(int port) {
		this.baseUrl = "http://localhost:" + port;
	}

	public HttpResponse<String> get(String path) {
		return send(HttpRequest.newBuilder(uri(path)).GET().build());
	}

	/**
	 * A request with a cookie this client may no longer hold, as a browser that kept an
	 * old session cookie would send it.
	 * @param path the path
	 * @param name the cookie's name
	 * @param value the cookie's value
	 * @return the response
	 */
	public HttpResponse<String> getWithCookie(String path, String name, String value) {
		return send(HttpRequest.newBuilder(uri(path)).header("Cookie", name + "=" + value).GET().build());
	}

	/**
	 * A cookie this client holds now.
	 * @param name the cookie's name
	 * @return its value, if the client holds it
	 */
	public Optional<String> cookie(String name) {
		return this.cookies.getCookieStore()
			.getCookies()
			.stream()
			.filter((cookie) -> cookie.getName().equals(name))
			.map(HttpCookie::getValue)
			.findFirst();
	}

	public HttpResponse<String> put(String path, String body, String csrfToken) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "text/plain")
			.PUT(HttpRequest.BodyPublishers.ofString(body));
		if (csrfToken != null) {
			request.header("X-CSRF-TOKEN", csrfToken);
		}
		return send(request.build());
	}

	public HttpResponse<String> post(String path, String csrfToken) {
		return send(HttpRequest.newBuilder(uri(path))
			.header("X-CSRF-TOKEN", csrfToken)
			.POST(HttpRequest.BodyPublishers.noBody())
			.build());
	}

	public HttpResponse<String> postForm(String path, String form) {
		return send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build());
	}

	public HttpResponse<String> logIn(String username, String password) {
		String csrf = hiddenCsrfToken(get("/login").body());
		return postForm("/login",
				"username=" + encode(username) + "&password=" + encode(password) + "&_csrf=" + encode(csrf));
	}

	public HttpResponse<String> logOut() {
		return postForm("/logout", "_csrf=" + encode(metaCsrfToken()));
	}

	/**
	 * The CSRF token that the home page hands to scripts.
	 * @return the token
	 */
	public String metaCsrfToken() {
		return find(META_CSRF, get("/").body());
	}

	public static String hiddenCsrfToken(String html) {
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
		// A response that never comes fails the test instead of hanging the build; 30 s
		// is far beyond any answer of the samples, even on a loaded machine.
		HttpRequest bounded = HttpRequest.newBuilder(request, (name, value) -> true)
			.timeout(Duration.ofSeconds(30))
			.build();
		try {
			return this.http.send(bounded, HttpResponse.BodyHandlers.ofString());
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
