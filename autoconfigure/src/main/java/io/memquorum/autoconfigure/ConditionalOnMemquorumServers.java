package io.memquorum.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Conditional;

/**
 * Matches when {@code memquorum.servers} is set, in any form: a comma-separated value or
 * a YAML list. An empty value matches too, so that it fails validation instead of
 * silently turning memquorum off. A {@link MemquorumConnectionDetails} bean matches too.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
@Documented
@Conditional(OnMemquorumServersCondition.class)
public @interface ConditionalOnMemquorumServers {

}
