/**
 * The cluster panel: each memcached node as the engine sees it, with the node's own hit
 * and miss counters.
 */
@NullMarked
package io.memquorum.sample.cluster;

import org.jspecify.annotations.NullMarked;
