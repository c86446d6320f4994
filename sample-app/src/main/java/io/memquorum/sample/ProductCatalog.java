package io.memquorum.sample;

import io.memquorum.sample.catalog.CatalogRuntimeHints;
import io.memquorum.sample.catalog.Product;
import io.memquorum.sample.catalog.SlowProductBackend;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.stereotype.Service;

/**
 * Products, read through the {@code products} cache: the first request for a product
 * waits for the slow backend, later ones are answered from memcached, from whichever
 * replica still holds the entry.
 */
@Service
@ImportRuntimeHints(CatalogRuntimeHints.class)
public class ProductCatalog {

	/** The cache that holds products, keyed by product number. */
	public static final String CACHE_NAME = "products";

	private final SlowProductBackend backend;

	public ProductCatalog(SlowProductBackend backend) {
		this.backend = backend;
	}

	@Cacheable(CACHE_NAME)
	public Product product(long id) {
		return this.backend.load(id);
	}

}
