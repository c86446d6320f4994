package io.memquorum.session;

import java.security.SecureRandom;
import java.util.UUID;

import io.memquorum.signing.NonBlockingRandom;

import org.springframework.session.SessionIdGenerator;
import org.springframework.session.UuidSessionIdGenerator;

/**
 * Session ids of the same form as Spring Session's {@link UuidSessionIdGenerator}
 * (random, version 4 UUIDs, 122 random bits) drawn from a {@link NonBlockingRandom}
 * instead of {@link UUID#randomUUID()}, which reads {@code /dev/urandom} every few calls.
 * Spring Session's {@code WebSession} changes the id (at every sign-in) on the thread
 * that subscribed, a Netty event loop in a WebFlux application, where that read must not
 * happen.
 */
final class RandomUuidSessionIdGenerator implements SessionIdGenerator {

	private final SecureRandom random = NonBlockingRandom.create();

	@Override
	public String generate() {
		byte[] bytes = new byte[16];
		this.random.nextBytes(bytes);
		bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40); // version 4
		bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80); // IETF variant
		long high = 0;
		long low = 0;
		for (int i = 0; i < 8; i++) {
			high = (high << 8) | (bytes[i] & 0xff);
			low = (low << 8) | (bytes[i + 8] & 0xff);
		}
		return new UUID(high, low).toString();
	}

}
