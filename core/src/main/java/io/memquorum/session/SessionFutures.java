package io.memquorum.session;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

import io.memquorum.engine.Completions;
import io.memquorum.engine.QuorumNotReachedException;

/**
 * The few combinators the session store's asynchronous paths share. The servlet
 * repository waits for the same futures the reactive one hands to Reactor, so both run
 * one protocol; nothing here blocks.
 */
final class SessionFutures {

	private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

	private SessionFutures() {
	}

	static CompletableFuture<Void> done() {
		return DONE;
	}

	/**
	 * A read that falls back to another when too few replicas answer, as a majority read
	 * falls back to the first replica that can.
	 * @param <T> the result type
	 * @param first the read to try
	 * @param fallback the read to run when {@code first} fails with
	 * {@link QuorumNotReachedException}
	 * @return the first read's result, or the fallback's
	 */
	static <T> CompletableFuture<T> onQuorumLost(CompletableFuture<T> first, Supplier<CompletableFuture<T>> fallback) {
		return recover(first, (failure) -> {
			if (failure instanceof QuorumNotReachedException) {
				return fallback.get();
			}
			return CompletableFuture.failedFuture(failure);
		});
	}

	/**
	 * Continue a failed future with another, given the unwrapped failure.
	 * @param <T> the result type
	 * @param future the future
	 * @param recovery what to do with its failure (unwrapped from
	 * {@link CompletionException})
	 * @return the future's result, or the recovery's
	 */
	static <T> CompletableFuture<T> recover(CompletableFuture<T> future,
			Function<Throwable, CompletableFuture<T>> recovery) {
		return future
			.handle((value, failure) -> (failure == null) ? CompletableFuture.completedFuture(value)
					: recovery.apply(Completions.unwrap(failure)))
			.thenCompose(Function.identity());
	}

	/**
	 * Run a future's work now, turning what it throws before returning a future into a
	 * failed future, so that a caller sees every failure the same way.
	 * @param <T> the result type
	 * @param start starts the work
	 * @return the work's future
	 */
	static <T> CompletableFuture<T> start(Supplier<CompletableFuture<T>> start) {
		try {
			return start.get();
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * All of several futures.
	 * @param futures the futures
	 * @return a future that completes when all have
	 */
	static CompletableFuture<Void> all(Collection<? extends CompletableFuture<?>> futures) {
		return futures.isEmpty() ? DONE : CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
	}

	/**
	 * A failure to pass through a stage of a future, unwrapped.
	 * @param failure the failure
	 * @return it, as a {@link CompletionException}
	 */
	static CompletionException rethrow(Throwable failure) {
		return (failure instanceof CompletionException completion) ? completion : new CompletionException(failure);
	}

}
