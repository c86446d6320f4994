/**
 * Refill: copying back what a restarted, flushed or new node should hold.
 */
@NullMarked
package io.memquorum.refill;

import org.jspecify.annotations.NullMarked;
