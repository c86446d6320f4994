package io.memquorum.autoconfigure.endpoint;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpSession;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A web application on the auto-configured engine, cache manager and session store, with
 * the {@code memquorum} endpoint exposed and open (security is the application's
 * business; the sample shows a signed-in one). {@code POST /note?text=} stores a session
 * attribute.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@EnableCaching
@Import(EndpointTestApplication.Notes.class)
class EndpointTestApplication {

	static final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	static ConfigurableApplicationContext start(String servers, String... more) {
		List<String> properties = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off",
				"memquorum.servers=" + servers, "memquorum.probe-interval=50ms", "memquorum.max-probe-interval=300ms",
				"memquorum.restart-check-interval=200ms", "memquorum.reconnect-interval=200ms",
				"memquorum.operation-timeout=1s", "memquorum.cache.caches.products.ttl=10m",
				"management.endpoints.web.exposure.include=health,memquorum"));
		properties.addAll(List.of(more));
		return new SpringApplicationBuilder(EndpointTestApplication.class).properties(properties.toArray(String[]::new))
			.run();
	}

	static HttpResponse<String> get(ConfigurableApplicationContext app, String path) {
		return send(app, HttpRequest.newBuilder(uri(app, path)).GET());
	}

	static HttpResponse<String> post(ConfigurableApplicationContext app, String path) {
		return send(app, HttpRequest.newBuilder(uri(app, path)).POST(HttpRequest.BodyPublishers.noBody()));
	}

	private static URI uri(ConfigurableApplicationContext app, String path) {
		int port = app.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
		return URI.create("http://127.0.0.1:" + port + path);
	}

	static HttpResponse<String> send(ConfigurableApplicationContext app, HttpRequest.Builder request) {
		try {
			return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Bean
	SecurityFilterChain openForTheseTests(HttpSecurity http) {
		return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
			.csrf((csrf) -> csrf.disable())
			.build();
	}

	@RestController
	static class Notes {

		@PostMapping("/note")
		String note(@RequestParam String text, HttpSession session) {
			session.setAttribute("note", text);
			return "stored";
		}

	}

}
