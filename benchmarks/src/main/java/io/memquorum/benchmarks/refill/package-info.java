/**
 * Refill of a restarted node: how fast it is copied back from its peers, and what it
 * costs foreground requests meanwhile.
 */
@NullMarked
package io.memquorum.benchmarks.refill;

import org.jspecify.annotations.NullMarked;
