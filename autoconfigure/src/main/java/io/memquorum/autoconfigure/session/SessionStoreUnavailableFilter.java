package io.memquorum.autoconfigure.session;

import java.io.IOException;
import java.time.Duration;

import io.memquorum.session.SessionStoreUnavailableException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.Ordered;
import org.springframework.session.web.http.SessionRepositoryFilter;

/**
 * Turns a session store that cannot answer or cannot save (the memcached write quorum is
 * lost) into a clean {@code 503 Service Unavailable} with {@code Retry-After} and a
 * one-line explanation, instead of a stack trace and a 500. Runs just outside Spring
 * Session's {@link SessionRepositoryFilter}, which saves the session when the request
 * ends, so that it also sees failures of that save. A response already sent to the client
 * cannot be changed; it is left as it is.
 */
public class SessionStoreUnavailableFilter implements Filter, Ordered {

	private static final Logger logger = LoggerFactory.getLogger(SessionStoreUnavailableFilter.class);

	private final String retryAfterSeconds;

	/**
	 * A filter.
	 * @param retryAfter what the {@code Retry-After} header says
	 */
	public SessionStoreUnavailableFilter(Duration retryAfter) {
		this.retryAfterSeconds = SessionStoreUnavailableAnswer.retryAfterSeconds(retryAfter);
	}

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		try {
			chain.doFilter(request, response);
		}
		catch (IOException | ServletException | RuntimeException ex) {
			SessionStoreUnavailableException unavailable = SessionStoreUnavailableAnswer.find(ex);
			if (unavailable == null || response.isCommitted()) {
				throw ex;
			}
			logger.warn("Answered 503: {}", unavailable.getMessage());
			response.reset();
			HttpServletResponse http = (HttpServletResponse) response;
			http.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
			http.setHeader("Retry-After", this.retryAfterSeconds);
			http.setContentType("text/plain;charset=UTF-8");
			http.getWriter().write(SessionStoreUnavailableAnswer.EXPLANATION);
		}
	}

	@Override
	public int getOrder() {
		return SessionRepositoryFilter.DEFAULT_ORDER - 1;
	}

}
