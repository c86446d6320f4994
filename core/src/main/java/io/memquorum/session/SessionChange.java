package io.memquorum.session;

import org.jspecify.annotations.Nullable;

/**
 * One save of a session that exists: what the request read, what it changed, and what it
 * expects the replicas to hold afterwards.
 *
 * @param read the session as the request knew it
 * @param readBytes the payload {@code read} was decoded from, or {@code null} when the
 * request no longer knows it (after an earlier save)
 * @param change what the request changed, and nothing else
 * @param expected {@code read} merged with {@code change}
 */
record SessionChange(StoredSession read, byte @Nullable [] readBytes, StoredSession change, StoredSession expected) {

}
