/**
 * The {@code memquorum} actuator endpoint for operators: nodes, the replicas of a key,
 * and verifying refills started by hand.
 */
@NullMarked
package io.memquorum.autoconfigure.endpoint;

import org.jspecify.annotations.NullMarked;
