package io.memquorum.signing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

/**
 * Signs one line of ASCII text stored under a memcached key, for memquorum's own small
 * items (the refill completeness marker and lease), in a form a shell script can check
 * with {@code openssl}: the line gets {@code " sig=<64 hex digits>"} appended, the
 * HMAC-SHA256 of {@code "<memcached key> <line>"} under a key derived for the purpose
 * ({@link SigningKeys#derive}). A memcached key holds no space, so no other split of key
 * and line signs the same bytes; and the key is signed, so a line cannot be moved to
 * another key.
 * <p>
 * Each purpose has its own key, so the key given to a readiness script to check markers
 * can neither sign entries nor leases. The first secret signs; any configured one
 * verifies. Thread-safe: a {@link Mac} is made per call, which is cheap next to the
 * network round trip each line costs.
 */
public final class LineSigner {

	/** The purpose of the refill completeness marker's key. */
	public static final String MARKER = "memquorum refill marker v1";

	/** The purpose of the refill lease's key. */
	public static final String LEASE = "memquorum refill lease v1";

	/** The purpose of the node set records instances publish. */
	public static final String NODE_SET = "memquorum node set v1";

	private static final String HMAC = "HmacSHA256";

	private static final String SIGNATURE = " sig=";

	private static final int SIGNATURE_HEX = 64;

	private final SecretKeySpec[] keys;

	private final String purpose;

	/**
	 * A signer for one purpose.
	 * @param keys the configured secrets
	 * @param purpose the label the line key is derived under, for example {@link #MARKER}
	 */
	public LineSigner(SigningKeys keys, String purpose) {
		this.purpose = purpose;
		this.keys = new SecretKeySpec[keys.size()];
		for (int i = 0; i < keys.size(); i++) {
			this.keys[i] = new SecretKeySpec(keys.derive(i, purpose, 32), HMAC);
		}
	}

	/**
	 * Sign a line with the first secret.
	 * @param memcachedKey the key the line is stored under
	 * @param line the text, printable ASCII without {@code " sig="}
	 * @return the line with its signature appended
	 */
	public String sign(String memcachedKey, String line) {
		if (line.contains(SIGNATURE)) {
			throw new IllegalArgumentException("A signed line may not contain '" + SIGNATURE.trim() + "'");
		}
		return line + SIGNATURE + HexFormat.of().formatHex(mac(this.keys[0], memcachedKey, line));
	}

	/**
	 * The line without its signature, if the signature was made by a configured secret
	 * for this key and purpose; compared in constant time.
	 * @param memcachedKey the key the line was read from
	 * @param signedLine the stored text, untrusted
	 * @return the line, or {@code null} when it is unsigned or its signature does not
	 * verify
	 */
	public @Nullable String verified(String memcachedKey, String signedLine) {
		int at = signedLine.lastIndexOf(SIGNATURE);
		if (at < 0 || signedLine.length() - at - SIGNATURE.length() != SIGNATURE_HEX) {
			return null;
		}
		byte[] signature;
		try {
			signature = HexFormat.of().parseHex(signedLine, at + SIGNATURE.length(), signedLine.length());
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		String line = signedLine.substring(0, at);
		for (SecretKeySpec key : this.keys) {
			if (MessageDigest.isEqual(mac(key, memcachedKey, line), signature)) {
				return line;
			}
		}
		return null;
	}

	private static byte[] mac(SecretKeySpec key, String memcachedKey, String line) {
		try {
			Mac mac = Mac.getInstance(HMAC);
			mac.init(key);
			mac.update(memcachedKey.getBytes(StandardCharsets.UTF_8));
			mac.update((byte) ' ');
			return mac.doFinal(line.getBytes(StandardCharsets.UTF_8));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is not available in this JVM", ex);
		}
	}

	@Override
	public String toString() {
		return "LineSigner[" + this.purpose + ", " + this.keys.length + " keys]";
	}

}
