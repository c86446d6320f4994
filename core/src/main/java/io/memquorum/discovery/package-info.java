/**
 * Finding the memcached nodes through DNS: {@code dns+name:port} (every address a name
 * has) and {@code dnssrv+name} (the targets of SRV records, kept by name), resolved again
 * on an interval. Free of Spring: the auto-configuration wires it to the engine.
 */
@NullMarked
package io.memquorum.discovery;

import org.jspecify.annotations.NullMarked;
