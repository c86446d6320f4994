package io.memquorum.refill;

/**
 * A refill run could not go on: a node it needs did not answer, or the run was stopped.
 * It stays inside the refill machinery, which logs it and retries at the next check; no
 * caller of the engine ever sees it.
 */
final class RefillException extends RuntimeException {

	RefillException(String message, Throwable cause) {
		super(message, cause);
	}

	RefillException(String message) {
		super(message);
	}

}
