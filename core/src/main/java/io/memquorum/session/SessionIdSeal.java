package io.memquorum.session;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.memquorum.signing.IdCipher;
import org.jspecify.annotations.Nullable;

/**
 * How the session id is kept inside a stored session: sealed with AES-GCM under a key
 * derived from the signing keys, or in clear when there are none.
 *
 * <h2>Key rotation</h2> The first signing key seals; every configured key opens. A
 * session sealed under a key that is being retired is sealed again under the first key by
 * its next save ({@link #isCurrent}), and wherever two sealings of one session meet (a
 * save, a repair, a MAJORITY read, a hint) the one the first key opens is kept
 * ({@link #preferred}). So once every instance runs {@code [new, old]}, every save leaves
 * the session sealed under {@code new} on every replica it reaches, and a session saved
 * since then is readable under {@code [new]}.
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
		IdCipher.Opened opened = opened(sealed);
		return (opened != null) ? opened.id() : null;
	}

	/**
	 * The id in a sealed field and the key that opened it.
	 * @param sealed the field, or {@code null} when the copy carries none
	 * @return the id and its key (0 without a cipher), or {@code null} when there is none
	 * or no configured key opens it
	 */
	IdCipher.@Nullable Opened opened(byte @Nullable [] sealed) {
		if (sealed == null) {
			return null;
		}
		if (this.cipher == null) {
			return new IdCipher.Opened(new String(sealed, StandardCharsets.UTF_8), 0);
		}
		return this.cipher.open(new String(sealed, StandardCharsets.US_ASCII), CONTEXT);
	}

	/**
	 * Whether a sealed field was sealed by the key that seals now, so that a save need
	 * not seal it again.
	 * @param sealed the field
	 * @return {@code true} without a cipher, or when the first key opens it
	 */
	boolean isCurrent(byte @Nullable [] sealed) {
		if (this.cipher == null) {
			return true;
		}
		IdCipher.Opened opened = opened(sealed);
		return opened != null && opened.byFirstKey();
	}

	/**
	 * Which of two sealings of one session's id a merge keeps: the one the first key
	 * opens when only one of them does (a session sealed again after a key rotation keeps
	 * its new sealing, whichever copy a replica held), otherwise the larger in byte
	 * order, so that replicas of one deployment keep the same one whatever order copies
	 * meet in.
	 * @param held one sealing, may be {@code null} (a delta)
	 * @param incoming the other, may be {@code null}
	 * @return the sealing to keep
	 */
	byte @Nullable [] preferred(byte @Nullable [] held, byte @Nullable [] incoming) {
		if (held == null) {
			return incoming;
		}
		if (incoming == null || Arrays.equals(held, incoming)) {
			return held;
		}
		if (this.cipher != null) {
			boolean heldCurrent = isCurrent(held);
			if (heldCurrent != isCurrent(incoming)) {
				return heldCurrent ? held : incoming;
			}
		}
		return (Arrays.compare(incoming, held) > 0) ? incoming : held;
	}

}
