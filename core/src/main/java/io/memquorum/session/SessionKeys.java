package io.memquorum.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The memcached keys of the session store: the SHA-256 of the session id, never the id.
 */
final class SessionKeys {

	private SessionKeys() {
	}

	static String sha256(String value) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			return HexFormat.of().formatHex(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	}

	/**
	 * How a session is named in logs and messages: the first hex digits of its hash,
	 * never its id.
	 * @param id the session id
	 * @return a short name
	 */
	static String describe(String id) {
		return "#" + sha256(id).substring(0, 12);
	}

}
