/**
 * Turns the JMH and harness results of one run into ratios, a JSON file and the table in
 * docs/benchmarks.md.
 */
@NullMarked
package io.memquorum.benchmarks.report;

import org.jspecify.annotations.NullMarked;
