/**
 * Starts the servers a benchmark compares against (redis-server, nutcracker) as child
 * processes on free loopback ports.
 */
@NullMarked
package io.memquorum.benchmarks.servers;

import org.jspecify.annotations.NullMarked;
