/**
 * The replication engine: quorum writes, failover reads, tombstones, hints and repair
 * over a set of memcached replicas.
 */
@NullMarked
package io.memquorum.engine;

import org.jspecify.annotations.NullMarked;
