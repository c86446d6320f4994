package io.memquorum.autoconfigure.cache;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches unless {@code spring.cache.type} is set: that property picks one of Spring
 * Boot's own cache types, and memquorum is none of them.
 */
class OnNoOtherCacheTypeCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		String type = context.getEnvironment().getProperty("spring.cache.type");
		if (type != null) {
			return ConditionOutcome.noMatch("spring.cache.type is set to '" + type + "'");
		}
		return ConditionOutcome.match("spring.cache.type is not set");
	}

}
