/**
 * Auto-configuration of the replication engine shared by the cache and the session store.
 */
@NullMarked
package io.memquorum.autoconfigure;

import org.jspecify.annotations.NullMarked;
