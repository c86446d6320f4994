package io.memquorum.autoconfigure.session;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;

import io.memquorum.session.SessionStoreUnavailableException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WebFlux application has no servlet API on its classpath: the reactive 503 filter must
 * load and answer without it. It is loaded here from this module's classes through a
 * class loader that has no {@code jakarta.servlet}; before the shared answer moved out of
 * the servlet filter, creating it failed with
 * {@code NoClassDefFoundError: jakarta/servlet/Filter}.
 */
class ReactiveFilterWithoutServletApiTests {

	@Test
	void theReactiveFilterAnswers503WithoutTheServletApiOnTheClasspath() throws Exception {
		URL autoconfigureClasses = ReactiveSessionStoreUnavailableFilter.class.getProtectionDomain()
			.getCodeSource()
			.getLocation();
		try (URLClassLoader loader = new URLClassLoader(new URL[] { autoconfigureClasses },
				new WithoutServletApi(getClass().getClassLoader()))) {
			Class<?> type = loader.loadClass(ReactiveSessionStoreUnavailableFilter.class.getName());
			assertThat(type.getClassLoader()).isSameAs(loader);
			WebFilter filter = (WebFilter) type.getConstructor(Duration.class).newInstance(Duration.ofSeconds(7));
			MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/"));
			filter.filter(exchange, (ignored) -> Mono.error(new SessionStoreUnavailableException("quorum lost")))
				.block(Duration.ofSeconds(5));
			assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
			assertThat(exchange.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("7");
		}
	}

	/**
	 * The test's class loader without the servlet API, and without this module's own
	 * classes, so that they are loaded (and linked) by the child loader.
	 */
	private static final class WithoutServletApi extends ClassLoader {

		WithoutServletApi(ClassLoader parent) {
			super(parent);
		}

		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			if (name.startsWith("jakarta.servlet.") || name.startsWith("io.memquorum.autoconfigure.")) {
				throw new ClassNotFoundException(name + " is hidden from this test's class loader");
			}
			return super.loadClass(name, resolve);
		}

	}

}
