package io.memquorum.sample.webflux;

import io.memquorum.sample.catalog.Product;
import io.memquorum.sample.catalog.SlowProductBackend;
import reactor.core.publisher.Mono;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/**
 * Products, read through the {@code products} cache with Spring's reactive
 * {@code @Cacheable}: the first request for a product waits for the slow backend on a
 * timer, later ones are answered from memcached without a thread waiting for either. A
 * product that does not exist is an error, which is not cached.
 */
@Service
public class ReactiveProductCatalog {

	/**
	 * The cache that holds products, keyed by product number, as in the servlet sample.
	 */
	public static final String CACHE_NAME = "products";

	private final SlowProductBackend backend;

	public ReactiveProductCatalog(SlowProductBackend backend) {
		this.backend = backend;
	}

	@Cacheable(CACHE_NAME)
	public Mono<Product> product(long id) {
		return Mono.delay(this.backend.latency()).map((tick) -> this.backend.answer(id));
	}

}
