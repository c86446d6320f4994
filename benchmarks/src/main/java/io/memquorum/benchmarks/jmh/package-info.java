/**
 * JMH benchmarks. Each one compares memquorum with its baseline through a {@code @Param};
 * run them with {@code benchmarks/run}.
 */
@NullMarked
package io.memquorum.benchmarks.jmh;

import org.jspecify.annotations.NullMarked;
