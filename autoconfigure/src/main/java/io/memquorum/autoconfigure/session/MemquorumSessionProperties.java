package io.memquorum.autoconfigure.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.session.FlushMode;
import org.springframework.session.SaveMode;

/**
 * Configuration properties of the replicated Spring Session store. The session timeout
 * comes from Spring Boot: {@code spring.session.timeout}, then
 * {@code server.servlet.session.timeout}.
 */
@ConfigurationProperties("memquorum.session")
public class MemquorumSessionProperties {

	/**
	 * Whether to store HTTP sessions in memcached through memquorum.
	 */
	private boolean enabled = true;

	/**
	 * Prefix of every session and index key, added after memquorum.key-prefix.
	 */
	private String keyPrefix = "session:";

	/**
	 * When session changes are written: on save at the end of the request, or immediately
	 * on every change (servlet applications only; a reactive application must keep
	 * on-save).
	 */
	private FlushMode flushMode = FlushMode.ON_SAVE;

	/**
	 * Which attributes a save writes: those set, those set or read, or all of them.
	 */
	private SaveMode saveMode = SaveMode.ON_SET_ATTRIBUTE;

	/**
	 * Which serializer turns session attributes into bytes.
	 */
	private Serializer serializer = Serializer.JDK;

	/**
	 * Further packages, with their sub-packages, whose classes may be deserialized from
	 * session attributes, besides java.lang, java.math, java.time, java.util,
	 * java.net.URI, java.net.URL, org.springframework.security and
	 * org.springframework.session, which are always allowed. Applies to both serializers.
	 */
	private List<String> allowedPackages = new ArrayList<>();

	/**
	 * Whether a session lookup that no memcached replica can answer gives the user a new,
	 * empty session instead of failing the request. Off by default, so that an outage
	 * never logs users out silently.
	 */
	private boolean degradeWhenUnreachable;

	/**
	 * What a request that must change its session hears, in the Retry-After header of its
	 * 503 response, while the memcached write quorum is lost. Not negative; rounded to
	 * whole seconds, at least 1.
	 */
	private Duration retryAfter = Duration.ofSeconds(5);

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public FlushMode getFlushMode() {
		return this.flushMode;
	}

	public void setFlushMode(FlushMode flushMode) {
		this.flushMode = flushMode;
	}

	public SaveMode getSaveMode() {
		return this.saveMode;
	}

	public void setSaveMode(SaveMode saveMode) {
		this.saveMode = saveMode;
	}

	public Serializer getSerializer() {
		return this.serializer;
	}

	public void setSerializer(Serializer serializer) {
		this.serializer = serializer;
	}

	public List<String> getAllowedPackages() {
		return this.allowedPackages;
	}

	public void setAllowedPackages(List<String> allowedPackages) {
		this.allowedPackages = allowedPackages;
	}

	public Duration getRetryAfter() {
		return this.retryAfter;
	}

	public void setRetryAfter(Duration retryAfter) {
		this.retryAfter = retryAfter;
	}

	public boolean isDegradeWhenUnreachable() {
		return this.degradeWhenUnreachable;
	}

	public void setDegradeWhenUnreachable(boolean degradeWhenUnreachable) {
		this.degradeWhenUnreachable = degradeWhenUnreachable;
	}

	/**
	 * How session attributes become bytes.
	 */
	public enum Serializer {

		/**
		 * JDK serialization behind an allow-list of packages.
		 */
		JDK,

		/**
		 * JSON (Jackson 3) a person can read, with type information limited to the
		 * allowed packages and Spring Security's Jackson support for its own classes.
		 * Needs tools.jackson.core:jackson-databind.
		 */
		JSON

	}

}
