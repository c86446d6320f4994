/**
 * Auto-configuration of the replicated Spring Session store.
 */
@NullMarked
package io.memquorum.autoconfigure.session;

import org.jspecify.annotations.NullMarked;
