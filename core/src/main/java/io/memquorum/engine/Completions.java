package io.memquorum.engine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waiting for the engine's futures from synchronous code, with the failure the caller
 * should see: the engine's own exception, not the wrappers that {@link CompletableFuture}
 * adds.
 */
public final class Completions {

	private Completions() {
	}

	/**
	 * Wait for a future.
	 * @param <T> the result type
	 * @param future the future
	 * @return its result
	 * @throws RuntimeException the failure that completed the future, unwrapped; a
	 * {@link MemquorumException} for a checked failure or an interrupt (which is
	 * restored)
	 */
	public static <T> T await(CompletableFuture<T> future) {
		try {
			return future.get();
		}
		catch (InterruptedException | ExecutionException ex) {
			throw rethrow(ex);
		}
	}

	/**
	 * Wait for a future, at most until its operation's deadline.
	 * @param <T> the result type
	 * @param future the future
	 * @param deadline the longest the operation may take
	 * @return its result
	 * @throws MemquorumException when the deadline passed first; otherwise as
	 * {@link #await(CompletableFuture)}
	 */
	public static <T> T await(CompletableFuture<T> future, Duration deadline) {
		try {
			return future.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			throw new MemquorumException(
					"memcached did not answer within the operation's deadline of " + deadline.toMillis() + " ms", ex);
		}
		catch (InterruptedException | ExecutionException ex) {
			throw rethrow(ex);
		}
	}

	private static RuntimeException rethrow(Exception ex) {
		if (ex instanceof InterruptedException) {
			Thread.currentThread().interrupt();
			return new MemquorumException("Interrupted while waiting for memcached", ex);
		}
		Throwable cause = unwrap(ex);
		if (cause instanceof RuntimeException runtime) {
			return runtime;
		}
		return new MemquorumException(String.valueOf(cause.getMessage()), cause);
	}

	/**
	 * The failure inside any {@link CompletionException} or {@link ExecutionException}
	 * wrappers.
	 * @param failure what a future completed with
	 * @return the innermost cause that is not such a wrapper
	 */
	public static Throwable unwrap(Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

}
