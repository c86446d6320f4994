package io.memquorum.signing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secrets an application shares with its other instances, from
 * {@code memquorum.signing.keys}: base64, at least {@value #MIN_SECRET_BYTES} bytes each.
 * The first one signs and encrypts; every one verifies and decrypts, so a secret is
 * rotated by rolling out {@code [new, old]} and then {@code [new]}.
 * <p>
 * A secret is never used directly. Each purpose gets a key of its own, derived with HKDF
 * (RFC 5869, HMAC-SHA256) under a label naming the purpose, so that a signature can never
 * be replayed as a ciphertext or the other way round, and a secret shared with another
 * system yields unrelated keys here.
 */
public final class SigningKeys {

	/** The shortest secret accepted: 256 bits, the size of an HMAC-SHA256 key. */
	public static final int MIN_SECRET_BYTES = 32;

	private static final String HMAC = "HmacSHA256";

	private static final byte[] SALT = "memquorum signing keys v1".getBytes(StandardCharsets.US_ASCII);

	private final List<byte[]> secrets;

	private SigningKeys(List<byte[]> secrets) {
		this.secrets = secrets;
	}

	/**
	 * Read configured secrets.
	 * @param base64Secrets the secrets in base64 (standard or URL-safe alphabet), first
	 * the one that signs
	 * @return the keys
	 * @throws IllegalArgumentException naming the position of a secret that is not base64
	 * or too short (never the secret itself), or when the list is empty
	 */
	public static SigningKeys of(Collection<String> base64Secrets) {
		if (base64Secrets.isEmpty()) {
			throw new IllegalArgumentException("At least one signing key is needed");
		}
		List<byte[]> secrets = new ArrayList<>();
		int index = 0;
		for (String encoded : base64Secrets) {
			byte[] secret;
			try {
				String trimmed = encoded.trim();
				secret = (trimmed.indexOf('-') >= 0 || trimmed.indexOf('_') >= 0)
						? Base64.getUrlDecoder().decode(trimmed) : Base64.getDecoder().decode(trimmed);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("Signing key [" + index + "] is not base64", ex);
			}
			if (secret.length < MIN_SECRET_BYTES) {
				throw new IllegalArgumentException(
						"Signing key [" + index + "] has " + secret.length + " bytes; at least " + MIN_SECRET_BYTES
								+ " are needed (for example: openssl rand -base64 32)");
			}
			secrets.add(secret);
			index++;
		}
		return new SigningKeys(List.copyOf(secrets));
	}

	/**
	 * How many secrets there are.
	 * @return at least one
	 */
	public int size() {
		return this.secrets.size();
	}

	/**
	 * The key for one purpose, derived from one secret.
	 * @param index which secret: 0 is the one that signs
	 * @param purpose a label naming the use, for example {@code "entry signature"}
	 * @param length the key length in bytes, at most 32
	 * @return the derived key
	 */
	public byte[] derive(int index, String purpose, int length) {
		if (length < 1 || length > 32) {
			throw new IllegalArgumentException("Derived keys are 1 to 32 bytes, not " + length);
		}
		return hkdf(SALT, this.secrets.get(index), purpose.getBytes(StandardCharsets.UTF_8), length);
	}

	/**
	 * HKDF with HMAC-SHA256 (RFC 5869): extract a pseudo-random key from the input key
	 * material, then expand it under {@code info}.
	 */
	static byte[] hkdf(byte[] salt, byte[] inputKeyMaterial, byte[] info, int length) {
		try {
			Mac mac = Mac.getInstance(HMAC);
			mac.init(new SecretKeySpec(salt, HMAC));
			byte[] pseudoRandomKey = mac.doFinal(inputKeyMaterial);
			mac.init(new SecretKeySpec(pseudoRandomKey, HMAC));
			byte[] output = new byte[length];
			byte[] block = new byte[0];
			for (int done = 0, counter = 1; done < length; counter++) {
				mac.update(block);
				mac.update(info);
				mac.update((byte) counter);
				block = mac.doFinal();
				int take = Math.min(block.length, length - done);
				System.arraycopy(block, 0, output, done, take);
				done += take;
			}
			return output;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is not available in this JVM", ex);
		}
	}

	@Override
	public String toString() {
		return "SigningKeys[" + this.secrets.size() + " keys]";
	}

}
