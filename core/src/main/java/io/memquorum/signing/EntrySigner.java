package io.memquorum.signing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies what memquorum stores: an HMAC-SHA256 over the memcached key and the
 * stored bytes, so an entry cannot be forged, altered, or moved to another key by someone
 * without the signing keys. The first key signs; a signature made with any configured key
 * verifies.
 * <p>
 * Thread-safe: each thread keeps its own {@link Mac} instances, since creating one costs
 * more than signing a small entry.
 */
public final class EntrySigner {

	/** Bytes in a signature. */
	public static final int SIGNATURE_SIZE = 32;

	private static final String HMAC = "HmacSHA256";

	private static final String PURPOSE = "memquorum entry signature v1";

	private final SecretKeySpec[] keys;

	private final ThreadLocal<Mac[]> macs;

	private final SigningKeys secrets;

	public EntrySigner(SigningKeys keys) {
		this.secrets = keys;
		this.keys = new SecretKeySpec[keys.size()];
		for (int i = 0; i < keys.size(); i++) {
			this.keys[i] = new SecretKeySpec(keys.derive(i, PURPOSE, 32), HMAC);
		}
		this.macs = ThreadLocal.withInitial(this::newMacs);
	}

	/**
	 * Sign an entry with the first key.
	 * @param key the memcached key the entry is stored under
	 * @param bytes the stored bytes
	 * @param offset where the signed bytes start
	 * @param length how many bytes are signed
	 * @return the {@value #SIGNATURE_SIZE}-byte signature
	 */
	public byte[] sign(String key, byte[] bytes, int offset, int length) {
		return mac(this.macs.get()[0], key, bytes, offset, length);
	}

	/**
	 * Whether a signature made with any configured key matches, compared in constant
	 * time.
	 * @param key the memcached key the entry was read from
	 * @param bytes the stored bytes
	 * @param offset where the signed bytes start
	 * @param length how many bytes are signed
	 * @param signature the signature found with them
	 * @return whether the entry is authentic
	 */
	public boolean verify(String key, byte[] bytes, int offset, int length, byte[] signature) {
		for (Mac mac : this.macs.get()) {
			if (MessageDigest.isEqual(mac(mac, key, bytes, offset, length), signature)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * As {@link #verify(String, byte[], int, int, byte[])}, for signed bytes that arrived
	 * in two parts: {@code head} then {@code body}.
	 * @param key the memcached key the entry was read from
	 * @param head the first signed bytes
	 * @param body the signed bytes that follow
	 * @param signature the signature read with them
	 * @return whether the signature verifies under any configured key
	 */
	public boolean verify(String key, byte[] head, byte[] body, byte[] signature) {
		for (Mac mac : this.macs.get()) {
			updateWithKey(mac, key);
			mac.update(head);
			mac.update(body);
			if (MessageDigest.isEqual(mac.doFinal(), signature)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * A signer of memquorum's own one-line items, from the same secrets, under a key of
	 * its own for {@code purpose}.
	 * @param purpose for example {@link LineSigner#MARKER}
	 * @return the signer
	 */
	public LineSigner lineSigner(String purpose) {
		return new LineSigner(this.secrets, purpose);
	}

	private static byte[] mac(Mac mac, String key, byte[] bytes, int offset, int length) {
		updateWithKey(mac, key);
		mac.update(bytes, offset, length);
		return mac.doFinal();
	}

	private static void updateWithKey(Mac mac, String key) {
		byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
		// The key's length first, so that no split of key and bytes signs another.
		mac.update((byte) (keyBytes.length >>> 8));
		mac.update((byte) keyBytes.length);
		mac.update(keyBytes);
	}

	private Mac[] newMacs() {
		Mac[] macs = new Mac[this.keys.length];
		try {
			for (int i = 0; i < macs.length; i++) {
				macs[i] = Mac.getInstance(HMAC);
				macs[i].init(this.keys[i]);
			}
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is not available in this JVM", ex);
		}
		return macs;
	}

	@Override
	public String toString() {
		return "EntrySigner[HmacSHA256, " + this.keys.length + " keys]";
	}

}
