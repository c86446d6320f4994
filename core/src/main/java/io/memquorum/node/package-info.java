/**
 * One memcached node: its pipelined asynchronous connection, its health and the hints it
 * still has to receive.
 */
@NullMarked
package io.memquorum.node;

import org.jspecify.annotations.NullMarked;
