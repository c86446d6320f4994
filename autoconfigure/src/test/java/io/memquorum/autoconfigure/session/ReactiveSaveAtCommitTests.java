package io.memquorum.autoconfigure.session;

import java.time.Duration;
import java.util.HashMap;

import io.memquorum.session.SessionStoreUnavailableException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.session.MapSession;
import org.springframework.session.ReactiveMapSessionRepository;
import org.springframework.session.ReactiveSessionRepository;
import org.springframework.session.web.server.session.SpringSessionWebSessionStore;
import org.springframework.web.server.session.DefaultWebSessionManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WebFlux session is saved when the response commits, after the handler returned: a
 * save that the lost write quorum refuses then must still answer 503 with
 * {@code Retry-After}, not a 500. Runs Spring's own {@code WebSessionManager} and
 * response (the mock response commits as a server's does); the store refuses every save
 * as {@code ReactiveReplicatedSessionRepository} does without its write quorum.
 */
class ReactiveSaveAtCommitTests {

	@Test
	void aSaveRefusedWhenTheResponseCommitsAnswers503() {
		ReactiveSessionRepository<MapSession> refusing = new RefusingSaves();
		DefaultWebSessionManager sessions = new DefaultWebSessionManager();
		sessions.setSessionStore(new SpringSessionWebSessionStore<>(refusing));
		MockServerWebExchange exchange = MockServerWebExchange.builder(MockServerHttpRequest.post("/cart"))
			.sessionManager(sessions)
			.build();
		ReactiveSessionStoreUnavailableFilter filter = new ReactiveSessionStoreUnavailableFilter(Duration.ofSeconds(7));

		filter.filter(exchange, (handled) -> handled.getSession().flatMap((session) -> {
			session.getAttributes().put("cart", "3 items");
			return handled.getResponse().setComplete();
		})).block(Duration.ofSeconds(5));

		assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(exchange.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("7");
	}

	private static final class RefusingSaves extends ReactiveMapSessionRepository {

		RefusingSaves() {
			super(new HashMap<>());
		}

		@Override
		public Mono<Void> save(MapSession session) {
			return Mono.error(new SessionStoreUnavailableException(
					"Cannot save session #abc: too few memcached nodes are up for the write quorum"));
		}

	}

}
