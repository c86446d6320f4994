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

	/**
	 * One digest per thread: looking one up costs more than hashing a session id (a tenth
	 * of a session request's CPU, profiled, with a lookup per hash).
	 */
	private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	});

	private static final HexFormat HEX = HexFormat.of();

	static String sha256(String value) {
		// digest() resets the digest for the next use on this thread
		return HEX.formatHex(SHA_256.get().digest(value.getBytes(StandardCharsets.UTF_8)));
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
