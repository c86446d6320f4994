package io.memquorum.sample.catalog;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ResponseStatus;

/**
 * Thrown when a product number is outside the catalog.
 */
@ResponseStatus(HttpStatus.NOT_FOUND)
public class ProductNotFoundException extends RuntimeException {

	public ProductNotFoundException(long id, long catalogSize) {
		super("No product " + id + ": the catalog holds products 1 to " + catalogSize);
	}

}
