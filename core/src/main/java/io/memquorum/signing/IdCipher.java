package io.memquorum.signing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

/**
 * Encrypts identifiers that must be stored but must not be readable, such as session ids
 * that the principal index hands back: AES-256-GCM with a key derived from the signing
 * keys (HKDF, its own label), a random 96-bit nonce per encryption, and a context (for
 * example the memcached key) bound in as associated data, so a ciphertext copied under
 * another key does not decrypt. The first key encrypts; every key is tried to decrypt.
 * <p>
 * Ciphertexts are URL-safe base64 without padding:
 * {@code nonce (12 bytes) || ciphertext || GCM tag (16 bytes)}. Thread-safe.
 */
public final class IdCipher {

	private static final String PURPOSE = "memquorum id encryption v1";

	private static final String TRANSFORMATION = "AES/GCM/NoPadding";

	private static final int NONCE_BYTES = 12;

	private static final int TAG_BITS = 128;

	private final SecretKeySpec[] keys;

	// Nonces are drawn on event loops (a reactive save seals the id there).
	private final SecureRandom random = NonBlockingRandom.create();

	public IdCipher(SigningKeys keys) {
		this.keys = new SecretKeySpec[keys.size()];
		for (int i = 0; i < keys.size(); i++) {
			this.keys[i] = new SecretKeySpec(keys.derive(i, PURPOSE, 32), "AES");
		}
	}

	/**
	 * Encrypt an id with the first key.
	 * @param id the id
	 * @param context what the ciphertext belongs to; the same context is needed to
	 * decrypt
	 * @return the ciphertext as URL-safe base64
	 */
	public String encrypt(String id, String context) {
		byte[] nonce = new byte[NONCE_BYTES];
		this.random.nextBytes(nonce);
		try {
			Cipher cipher = Cipher.getInstance(TRANSFORMATION);
			cipher.init(Cipher.ENCRYPT_MODE, this.keys[0], new GCMParameterSpec(TAG_BITS, nonce));
			cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
			byte[] sealed = cipher.doFinal(id.getBytes(StandardCharsets.UTF_8));
			return Base64.getUrlEncoder()
				.withoutPadding()
				.encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("AES/GCM is not available in this JVM", ex);
		}
	}

	/**
	 * Decrypt an id.
	 * @param ciphertext what {@link #encrypt(String, String)} returned
	 * @param context the context it was encrypted with
	 * @return the id, or {@code null} when no configured key opens it for this context
	 * (altered, forged, another context, or a key no longer configured)
	 */
	public @Nullable String decrypt(String ciphertext, String context) {
		Opened opened = open(ciphertext, context);
		return (opened != null) ? opened.id() : null;
	}

	/**
	 * Decrypt an id and say which key opened it, so that a store can tell a ciphertext
	 * made with the first key from one that a key being retired made, and encrypt the
	 * latter again before that key goes.
	 * @param ciphertext what {@link #encrypt(String, String)} returned
	 * @param context the context it was encrypted with
	 * @return the id and the position of the key that opened it, or {@code null} as for
	 * {@link #decrypt(String, String)}
	 */
	public @Nullable Opened open(String ciphertext, String context) {
		byte[] bytes;
		try {
			bytes = Base64.getUrlDecoder().decode(ciphertext);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
			return null;
		}
		byte[] aad = context.getBytes(StandardCharsets.UTF_8);
		for (int index = 0; index < this.keys.length; index++) {
			try {
				Cipher cipher = Cipher.getInstance(TRANSFORMATION);
				cipher.init(Cipher.DECRYPT_MODE, this.keys[index],
						new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
				cipher.updateAAD(aad);
				byte[] id = cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
				return new Opened(new String(id, StandardCharsets.UTF_8), index);
			}
			catch (AEADBadTagException ex) {
				// Not this key; try the next one.
			}
			catch (GeneralSecurityException ex) {
				throw new IllegalStateException("AES/GCM is not available in this JVM", ex);
			}
		}
		return null;
	}

	/**
	 * A decrypted id.
	 *
	 * @param id the id
	 * @param keyIndex the position of the key that opened it in the configured list: 0
	 * for the key that encrypts
	 */
	public record Opened(String id, int keyIndex) {

		/**
		 * Whether the key that encrypts now made this ciphertext.
		 * @return whether the first key opened it
		 */
		public boolean byFirstKey() {
			return this.keyIndex == 0;
		}

	}

	@Override
	public String toString() {
		return "IdCipher[AES-256-GCM, " + this.keys.length + " keys]";
	}

}
