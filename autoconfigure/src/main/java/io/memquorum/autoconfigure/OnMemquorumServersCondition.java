package io.memquorum.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.ConfigurationCondition;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The condition behind {@link ConditionalOnMemquorumServers}.
 */
class OnMemquorumServersCondition extends SpringBootCondition implements ConfigurationCondition {

	/** At bean registration, so that a user's MemquorumConnectionDetails bean is seen. */
	@Override
	public ConfigurationPhase getConfigurationPhase() {
		return ConfigurationPhase.REGISTER_BEAN;
	}

	private static final String PROPERTY = "memquorum.servers";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		if (context.getEnvironment().containsProperty(PROPERTY)
				|| Binder.get(context.getEnvironment()).bind(PROPERTY, Bindable.listOf(String.class)).isBound()) {
			return ConditionOutcome.match(PROPERTY + " is set");
		}
		if (context.getBeanFactory() != null && context.getBeanFactory()
			.getBeanNamesForType(MemquorumConnectionDetails.class, true, false).length > 0) {
			return ConditionOutcome.match("a MemquorumConnectionDetails bean is defined");
		}
		return ConditionOutcome.noMatch(PROPERTY + " is not set and no MemquorumConnectionDetails bean is defined");
	}

}
