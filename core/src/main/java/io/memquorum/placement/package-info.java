/**
 * Which nodes hold a key's replicas.
 */
@NullMarked
package io.memquorum.placement;

import org.jspecify.annotations.NullMarked;
