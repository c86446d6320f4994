package io.memquorum.autoconfigure;

import io.memquorum.engine.ReplicatedMemcached;

/**
 * Customizes the engine's builder before the engine is built. Beans of this type run in
 * their order, after the {@code memquorum.*} properties have been applied, so they can
 * override them.
 */
@FunctionalInterface
public interface ReplicatedMemcachedBuilderCustomizer {

	/**
	 * Customize the builder.
	 * @param builder the builder, with the properties applied
	 */
	void customize(ReplicatedMemcached.Builder builder);

}
