/**
 * Auto-configuration of the Spring Cache on the replication engine.
 */
@NullMarked
package io.memquorum.autoconfigure.cache;

import org.jspecify.annotations.NullMarked;
