/**
 * What the engine reports about itself, with a no-op default and a Micrometer adapter.
 */
@NullMarked
package io.memquorum.metrics;

import org.jspecify.annotations.NullMarked;
