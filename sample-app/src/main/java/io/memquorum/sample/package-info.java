/**
 * The memquorum sample application: form login whose sessions survive the restart of a
 * memcached node, and a slow product backend behind a replicated cache.
 */
@NullMarked
package io.memquorum.sample;

import org.jspecify.annotations.NullMarked;
