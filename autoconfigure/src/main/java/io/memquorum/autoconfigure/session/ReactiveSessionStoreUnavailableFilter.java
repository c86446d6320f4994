package io.memquorum.autoconfigure.session;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.memquorum.session.SessionStoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * The reactive counterpart of the servlet {@code SessionStoreUnavailableFilter} (named,
 * not linked: that class needs the servlet API, which a WebFlux application lacks): a
 * session store that cannot answer or cannot save (the memcached write quorum is lost)
 * answers {@code 503 Service Unavailable} with {@code Retry-After} and a one-line
 * explanation, instead of a 500. Runs first, so that it sees what every later filter and
 * handler raises. A response already committed cannot be changed; its failure is left as
 * it is.
 */
public class ReactiveSessionStoreUnavailableFilter implements WebFilter, Ordered {

	private static final Logger logger = LoggerFactory.getLogger(ReactiveSessionStoreUnavailableFilter.class);

	private final String retryAfterSeconds;

	/**
	 * A filter.
	 * @param retryAfter what the {@code Retry-After} header says
	 */
	public ReactiveSessionStoreUnavailableFilter(Duration retryAfter) {
		this.retryAfterSeconds = SessionStoreUnavailableAnswer.retryAfterSeconds(retryAfter);
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		return chain.filter(exchange).onErrorResume((failure) -> {
			SessionStoreUnavailableException unavailable = SessionStoreUnavailableAnswer.find(failure);
			ServerHttpResponse response = exchange.getResponse();
			if (unavailable == null || response.isCommitted()) {
				return Mono.error(failure);
			}
			logger.warn("Answered 503: {}", unavailable.getMessage());
			response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
			response.getHeaders().clear();
			response.getHeaders().set("Retry-After", this.retryAfterSeconds);
			response.getHeaders().setContentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8));
			DataBuffer body = response.bufferFactory()
				.wrap(SessionStoreUnavailableAnswer.EXPLANATION.getBytes(StandardCharsets.UTF_8));
			return response.writeWith(Mono.just(body));
		});
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
