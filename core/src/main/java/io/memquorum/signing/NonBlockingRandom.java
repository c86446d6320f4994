package io.memquorum.signing;

import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * A cryptographically strong random source that may be used on an event loop. The JDK's
 * default {@link SecureRandom} on Linux ({@code NativePRNG}) reads {@code /dev/urandom}
 * for every few nonces it hands out: a file read, which a reactive application must not
 * make on a Netty or Reactor thread (BlockHound fails it). This one is a DRBG
 * ({@code Hash_DRBG}, SHA-256, 256-bit strength, NIST SP 800-90A) that takes its seed
 * from the system's entropy once, when it is created, and from then on computes its
 * output in memory; it reseeds itself only after about two billion requests.
 * <p>
 * Create it where blocking is allowed (at startup, when the cipher or the repository is
 * built). Thread-safe: requests are serialized by the DRBG, and none of them waits for
 * I/O.
 */
public final class NonBlockingRandom {

	private NonBlockingRandom() {
	}

	/**
	 * A new DRBG, already seeded.
	 * @return a random source whose requests read no file
	 */
	public static SecureRandom create() {
		SecureRandom random;
		try {
			random = SecureRandom.getInstance("DRBG",
					DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, null));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("DRBG (JDK 9 and later) is not available in this JVM", ex);
		}
		// The DRBG is seeded on its first request, not when it is created: make that
		// request here, on the thread that may block.
		random.nextBytes(new byte[1]);
		return random;
	}

}
