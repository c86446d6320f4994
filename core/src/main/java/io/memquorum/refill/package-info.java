/**
 * Refill: fills restarted, replaced, flushed and new memcached nodes back from their
 * peers, so that restarting every node in turn loses nothing.
 *
 * <p>
 * A background subsystem with its own thread and state. It talks to the engine only
 * through {@link io.memquorum.refill.RefillNode} (a node as refill sees it) and
 * {@link io.memquorum.refill.ReplicaWriter} (how to read and write one replica as the
 * engine does), both implemented by the engine, and uses the engine's public value types
 * ({@link io.memquorum.engine.Envelope}, {@link io.memquorum.engine.KeyEncoder},
 * {@link io.memquorum.engine.EntryMerge}). Applications see only {@link RefillStatus}.
 */
@NullMarked
package io.memquorum.refill;

import org.jspecify.annotations.NullMarked;
