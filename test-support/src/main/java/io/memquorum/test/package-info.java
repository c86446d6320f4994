/**
 * Real memcached processes for tests: {@link io.memquorum.test.MemcachedNode},
 * {@link io.memquorum.test.MemcachedCluster} and the JUnit Jupiter
 * {@link io.memquorum.test.MemcachedClusterExtension}.
 */
@NullMarked
package io.memquorum.test;

import org.jspecify.annotations.NullMarked;
