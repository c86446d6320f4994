/**
 * A replicated Spring Session {@code SessionRepository} on the memquorum engine: delta
 * saves merged per replica, final invalidation through tombstones, a replicated principal
 * index.
 */
@NullMarked
package io.memquorum.session;

import org.jspecify.annotations.NullMarked;
