/**
 * Benchmarks comparing memquorum with the alternatives users would pick: a plain client
 * on one node, Spring Session on Redis, and a proxy.
 */
@NullMarked
package io.memquorum.benchmarks;

import org.jspecify.annotations.NullMarked;
