package io.memquorum.signing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Message digests kept one per thread. Looking a digest up through the security providers
 * costs more than hashing a key with it: on a session request, one lookup per hash took a
 * tenth of the CPU (JFR), and every engine operation hashes its key onto the ring.
 */
public final class Digests {

	private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> digest("SHA-256"));

	private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> digest("MD5"));

	private Digests() {
	}

	/**
	 * This thread's SHA-256 digest, reset: {@code digest(bytes)} leaves it ready for the
	 * next use.
	 * @return the digest
	 */
	public static MessageDigest sha256() {
		return SHA_256.get();
	}

	/**
	 * This thread's MD5 digest, reset; for spreading keys, never for security.
	 * @return the digest
	 */
	public static MessageDigest md5() {
		return MD5.get();
	}

	private static MessageDigest digest(String algorithm) {
		try {
			return MessageDigest.getInstance(algorithm);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(algorithm + " is required of every Java platform", ex);
		}
	}

}
