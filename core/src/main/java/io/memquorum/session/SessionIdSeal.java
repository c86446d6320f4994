package io.memquorum.session;

import java.nio.charset.StandardCharsets;

import io.memquorum.signing.IdCipher;
import org.jspecify.annotations.Nullable;

/**
 * How the session id is kept inside a stored session: sealed with AES-GCM under a key
 * derived from the signing keys, or in clear when there are none.
 */
final class SessionIdSeal {

	/** What the sealed id is bound to, so that it opens only as a session id. */
	private static final String CONTEXT = "memquorum session id";

	private final @Nullable IdCipher cipher;

	SessionIdSeal(@Nullable IdCipher cipher) {
		this.cipher = cipher;
	}

	byte[] seal(String id) {
		return (this.cipher != null) ? this.cipher.encrypt(id, CONTEXT).getBytes(StandardCharsets.US_ASCII)
				: id.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * The id in a sealed field.
	 * @param sealed the field, or {@code null} when the copy carries none
	 * @return the id, or {@code null} when there is none or no configured key opens it
	 */
	@Nullable String open(byte @Nullable [] sealed) {
		if (sealed == null) {
			return null;
		}
		return (this.cipher != null) ? this.cipher.decrypt(new String(sealed, StandardCharsets.US_ASCII), CONTEXT)
				: new String(sealed, StandardCharsets.UTF_8);
	}

}
