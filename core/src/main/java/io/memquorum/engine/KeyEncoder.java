package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.memquorum.signing.Digests;

/**
 * Turns any Java string into a valid memcached key.
 *
 * <p>
 * A key made only of printable ASCII that fits memcached's 250-byte limit with the prefix
 * is used as it is, so keys stay readable in {@code stats cachedump}. Anything else,
 * including spaces, control characters, non-ASCII text and long keys, becomes
 * {@code prefix + "#h:" + base64url(SHA-256(key))}: deterministic in every JVM, 46 bytes,
 * and unable to collide with a readable key, because readable keys that start with the
 * marker are hashed too.
 *
 * <p>
 * Keys under {@code prefix + "#m:"} are memquorum's own (the refill marker and lease of
 * each node, see {@link #internalKey(String)}): readable application keys starting with
 * {@code "#m:"} are hashed as well, so no application key can land on them.
 */
public final class KeyEncoder {

	/** memcached's limit for a key, in bytes. */
	public static final int MAX_KEY_LENGTH = 250;

	/** The longest prefix allowed: it must leave room for a hashed key. */
	public static final int MAX_PREFIX_LENGTH = 100;

	private static final String HASHED_MARKER = "#h:";

	private static final String INTERNAL_MARKER = "#m:";

	private final String prefix;

	public KeyEncoder(String prefix) {
		for (int i = 0; i < prefix.length(); i++) {
			if (!isPrintableAscii(prefix.charAt(i))) {
				throw new IllegalArgumentException(
						"Key prefix '" + prefix + "' must be printable ASCII without spaces, found character "
								+ (int) prefix.charAt(i) + " at index " + i);
			}
		}
		if (prefix.length() > MAX_PREFIX_LENGTH) {
			throw new IllegalArgumentException(
					"Key prefix must be at most " + MAX_PREFIX_LENGTH + " characters, got " + prefix.length());
		}
		this.prefix = prefix;
	}

	public String prefix() {
		return this.prefix;
	}

	/**
	 * The memcached key of one of memquorum's own items, which no application key encodes
	 * to.
	 * @param name the item's name, printable ASCII
	 * @return the memcached key
	 */
	public String internalKey(String name) {
		return this.prefix + INTERNAL_MARKER + name;
	}

	/**
	 * Whether a memcached key is one of memquorum's own items under this prefix.
	 * @param encoded a memcached key
	 * @return {@code true} for internal keys
	 */
	public boolean isInternal(String encoded) {
		return encoded.startsWith(this.prefix + INTERNAL_MARKER);
	}

	/**
	 * The memcached key for an application key.
	 * @param key any non-empty string
	 * @return a valid memcached key
	 */
	public String encode(String key) {
		if (key.isEmpty()) {
			throw new IllegalArgumentException("Key must not be empty");
		}
		if (isReadable(key)) {
			// Concatenating an empty prefix would still copy the key.
			return this.prefix.isEmpty() ? key : this.prefix + key;
		}
		return this.prefix + HASHED_MARKER + hash(key);
	}

	private boolean isReadable(String key) {
		if (this.prefix.length() + key.length() > MAX_KEY_LENGTH || key.startsWith(HASHED_MARKER)
				|| key.startsWith(INTERNAL_MARKER)) {
			return false;
		}
		for (int i = 0; i < key.length(); i++) {
			if (!isPrintableAscii(key.charAt(i))) {
				return false;
			}
		}
		return true;
	}

	private static boolean isPrintableAscii(char c) {
		return c > 0x20 && c < 0x7F;
	}

	private static String hash(String key) {
		byte[] digest = Digests.sha256().digest(key.getBytes(StandardCharsets.UTF_8));
		return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
	}

}
