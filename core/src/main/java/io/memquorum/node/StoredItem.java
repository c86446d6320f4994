package io.memquorum.node;

/**
 * One item as memcached returned it.
 *
 * @param flags the client flags stored with the item
 * @param data the raw value bytes
 * @param cas the compare-and-swap token
 */
public record StoredItem(int flags, byte[] data, long cas) {

}
