package io.memquorum.autoconfigure.session;

import java.util.List;

import io.memquorum.autoconfigure.MemquorumProperties;
import io.memquorum.session.JdkSessionAttributeSerializer;
import io.memquorum.session.JsonSessionAttributeSerializer;
import io.memquorum.session.ReplicatedSessionRepository;
import io.memquorum.session.SessionAttributeSerializer;
import io.memquorum.signing.IdCipher;
import io.memquorum.signing.SigningKeys;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.session.autoconfigure.SessionTimeout;
import org.springframework.util.ClassUtils;

/**
 * The {@code memquorum.session.*} properties applied to a session store, the same for the
 * servlet and the reactive repository (which keeps its settings in a servlet one).
 */
final class SessionStoreSettings {

	private SessionStoreSettings() {
	}

	static void apply(ReplicatedSessionRepository repository, MemquorumSessionProperties properties,
			ObjectProvider<SessionTimeout> sessionTimeout, ObjectProvider<SessionAttributeSerializer> serializer,
			ObjectProvider<MemquorumProperties> memquorum) {
		// The signing keys (validated with the engine) also seal the session ids.
		memquorum.ifAvailable((settings) -> {
			List<String> keys = settings.getSigning().getKeys();
			if (!keys.isEmpty()) {
				repository.setIdCipher(new IdCipher(SigningKeys.of(keys)));
			}
		});
		PropertyMapper map = PropertyMapper.get();
		sessionTimeout
			.ifAvailable((timeout) -> map.from(timeout::getTimeout).to(repository::setDefaultMaxInactiveInterval));
		map.from(properties::getKeyPrefix).to((keyPrefix) -> {
			try {
				repository.setKeyPrefix(keyPrefix);
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException("memquorum.session.key-prefix", keyPrefix,
						ex.getMessage());
			}
		});
		map.from(properties::getFlushMode).to(repository::setFlushMode);
		map.from(properties::getSaveMode).to(repository::setSaveMode);
		map.from(properties::isDegradeWhenUnreachable).to(repository::setDegradeWhenUnreachable);
		repository.setSerializer(serializer.getIfAvailable(() -> serializer(properties)));
	}

	static void checkRetryAfter(MemquorumSessionProperties properties) {
		if (properties.getRetryAfter().isNegative()) {
			throw new InvalidConfigurationPropertyValueException("memquorum.session.retry-after",
					properties.getRetryAfter(), "It must not be negative");
		}
	}

	private static SessionAttributeSerializer serializer(MemquorumSessionProperties properties) {
		try {
			return switch (properties.getSerializer()) {
				case JDK -> new JdkSessionAttributeSerializer(properties.getAllowedPackages(),
						SessionStoreSettings.class.getClassLoader());
				case JSON -> jsonSerializer(properties);
			};
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("memquorum.session.allowed-packages",
					properties.getAllowedPackages(), ex.getMessage());
		}
	}

	private static SessionAttributeSerializer jsonSerializer(MemquorumSessionProperties properties) {
		ClassLoader classLoader = SessionStoreSettings.class.getClassLoader();
		if (!ClassUtils.isPresent("tools.jackson.databind.json.JsonMapper", classLoader)) {
			throw new InvalidConfigurationPropertyValueException("memquorum.session.serializer", "json",
					"The JSON serializer needs Jackson 3 (tools.jackson.core:jackson-databind) on the class path");
		}
		return new JsonSessionAttributeSerializer(properties.getAllowedPackages(), classLoader);
	}

}
