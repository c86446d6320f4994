package io.memquorum.node;

/**
 * One key as {@code lru_crawler metadump} listed it.
 *
 * @param key the key, percent-decoded; each byte of the key is one character
 * (ISO-8859-1), so keys that are not ASCII survive unchanged and simply match no prefix
 * @param expiresAtSeconds when memcached expires the item, as a Unix time in seconds, or
 * -1 when it never expires
 * @param size the item's size in memcached's memory, in bytes, or -1 when not listed
 */
public record DumpedKey(String key, long expiresAtSeconds, int size) {

	/**
	 * Whether the item never expires.
	 * @return {@code true} when memcached listed no expiry
	 */
	public boolean isPermanent() {
		return this.expiresAtSeconds < 0;
	}

}
