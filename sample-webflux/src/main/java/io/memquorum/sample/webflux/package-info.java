/**
 * The memquorum WebFlux sample application: form login whose WebSessions survive the
 * restart of a memcached node, and a slow product backend behind a replicated reactive
 * cache.
 */
@NullMarked
package io.memquorum.sample.webflux;

import org.jspecify.annotations.NullMarked;
