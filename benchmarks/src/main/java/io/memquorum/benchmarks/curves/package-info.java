/**
 * The cost curves of {@code benchmarks/run curves}: how throughput and load grow with the
 * value size, the node count, the session size and the application's threads, and the
 * report that draws them.
 */
@NullMarked
package io.memquorum.benchmarks.curves;

import org.jspecify.annotations.NullMarked;
