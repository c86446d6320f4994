package io.memquorum.sample.catalog;

import java.io.Serializable;
import java.time.Instant;

/**
 * A product as the backend describes it.
 *
 * @param id the product number
 * @param name what the product is called
 * @param priceCents its price in euro cents
 * @param loadedAt when the backend produced this copy: a cached copy keeps the time of
 * the call that filled the cache
 */
public record Product(long id, String name, long priceCents, Instant loadedAt) implements Serializable {

}
