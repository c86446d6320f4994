package io.memquorum.sample.webflux.web;

import reactor.core.publisher.Mono;

import org.springframework.security.web.reactive.result.view.CsrfRequestDataValueProcessor;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.server.ServerWebExchange;

/**
 * Hands the CSRF token to the pages, as the servlet stack does by itself: the
 * {@code _csrf} model attribute fills the home page's meta tags, and the same token under
 * the exchange attribute {@code _csrf} lets Spring Security's
 * {@link CsrfRequestDataValueProcessor} add the hidden {@code _csrf} input to the forms.
 * On WebFlux the token is deferred (a {@code Mono} the {@code CsrfWebFilter} leaves on
 * the exchange) and is created and saved in the session only when subscribed to.
 */
@ControllerAdvice
class CsrfTokenAdvice {

	@ModelAttribute(CsrfRequestDataValueProcessor.DEFAULT_CSRF_ATTR_NAME)
	Mono<CsrfToken> csrfToken(ServerWebExchange exchange) {
		Mono<CsrfToken> token = exchange.getAttribute(CsrfToken.class.getName());
		if (token == null) {
			return Mono.empty();
		}
		return token.doOnSuccess((resolved) -> {
			if (resolved != null) {
				exchange.getAttributes().put(CsrfRequestDataValueProcessor.DEFAULT_CSRF_ATTR_NAME, resolved);
			}
		});
	}

}
