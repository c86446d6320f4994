/**
 * The failover timeline: a multi-threaded load harness that kills or pauses a node and
 * records latency per 100 ms window.
 */
@NullMarked
package io.memquorum.benchmarks.failover;

import org.jspecify.annotations.NullMarked;
