/**
 * A product catalog over a deliberately slow backend, cached with {@code @Cacheable}.
 */
@NullMarked
package io.memquorum.sample.catalog;

import org.jspecify.annotations.NullMarked;
