package io.memquorum.test;

/**
 * Thrown when no memcached binary can be found or executed, with instructions for
 * installing one.
 *
 * @see MemcachedNode#start()
 */
public final class MemcachedNotInstalledException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	MemcachedNotInstalledException(String message) {
		super(message);
	}

}
