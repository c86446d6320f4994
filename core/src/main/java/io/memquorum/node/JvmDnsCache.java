package io.memquorum.node;

import java.security.Security;
import java.time.Duration;

/**
 * Bounds how long this JVM remembers a successful host name lookup. The JDK keeps one for
 * 30 seconds by default, so a memcached pod rescheduled under the same name at a new
 * address would stay out of reach that long after the engine reconnects. The JDK reads
 * its setting once, at its first lookup: this works only when called before that, and
 * never overrides what the application or the JVM's command line chose.
 */
public final class JvmDnsCache {

	/** The JDK's security property for the lifetime of successful lookups, in seconds. */
	public static final String TTL_SECURITY_PROPERTY = "networkaddress.cache.ttl";

	/** The older system property with the same meaning, read when the first is unset. */
	public static final String TTL_SYSTEM_PROPERTY = "sun.net.inetaddr.ttl";

	private JvmDnsCache() {
	}

	/**
	 * Set the lifetime of successful lookups unless this JVM already has one.
	 * @param ttl the lifetime; whole seconds, at least one
	 * @return whether the setting was applied (nothing else had set it)
	 */
	public static synchronized boolean bound(Duration ttl) {
		if (Security.getProperty(TTL_SECURITY_PROPERTY) != null || System.getProperty(TTL_SYSTEM_PROPERTY) != null) {
			return false;
		}
		Security.setProperty(TTL_SECURITY_PROPERTY, Long.toString(Math.max(1, ttl.toSeconds())));
		return true;
	}

}
