package io.memquorum.session;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import io.memquorum.signing.Digests;

/**
 * The memcached keys of the session store: the SHA-256 of the session id, never the id.
 */
final class SessionKeys {

	private SessionKeys() {
	}

	private static final HexFormat HEX = HexFormat.of();

	static String sha256(String value) {
		return HEX.formatHex(Digests.sha256().digest(value.getBytes(StandardCharsets.UTF_8)));
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
