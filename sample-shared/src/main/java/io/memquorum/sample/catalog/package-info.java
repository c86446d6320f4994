/**
 * The products of both samples and the deliberately slow backend they come from; each
 * sample caches it with {@code @Cacheable}.
 */
@NullMarked
package io.memquorum.sample.catalog;

import org.jspecify.annotations.NullMarked;
