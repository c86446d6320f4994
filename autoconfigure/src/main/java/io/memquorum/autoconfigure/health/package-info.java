/**
 * Health contributor of the replication engine.
 */
@NullMarked
package io.memquorum.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
