/**
 * Reading values back from memcached safely: JDK deserialization limited to an allow-list
 * of packages.
 */
@NullMarked
package io.memquorum.serialization;

import org.jspecify.annotations.NullMarked;
