package io.memquorum.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import com.google.code.yanf4j.core.Session;
import org.jspecify.annotations.Nullable;

/**
 * Authenticates each new connection to a node before any other command goes out on it.
 *
 * <p>
 * memcached started with {@code -Y} answers every command of a connection with
 * {@code CLIENT_ERROR unauthenticated} until the connection has sent a {@code set} of any
 * key whose value is {@code user password}. xmemcached reconnects on its own and offers
 * no hook that runs before a new session is used, so the first command sent on a session
 * we have not seen yet writes the authenticating {@code set} ahead of itself. memcached
 * answers one connection's commands in order, so commands pipelined behind it are already
 * authenticated, and nothing waits for the reply.
 *
 * <p>
 * A rejected attempt makes every later command on that session fail at once with the
 * reason, as an unreachable node, so the engine marks the node down and its health says
 * why. The attempt is repeated at most once per retry interval on the same session, which
 * picks up an auth file memcached reloaded.
 */
final class TextProtocolAuthentication {

	private final NodeCredentials credentials;

	private final long retryNanos;

	private final Object lock = new Object();

	private volatile @Nullable Attempt attempt;

	TextProtocolAuthentication(NodeCredentials credentials, long retryNanos) {
		this.credentials = credentials;
		this.retryNanos = retryNanos;
	}

	NodeCredentials credentials() {
		return this.credentials;
	}

	/**
	 * Make sure {@code session} authenticates before the caller's command.
	 * @param session the session the caller is about to write to
	 * @param send writes the authenticating {@code set} to the session and returns
	 * whether memcached stored it
	 * @return {@code null} when the caller may write its command, or why it may not
	 */
	@Nullable String prepare(Session session, Function<byte[], CompletableFuture<Boolean>> send) {
		Attempt current = this.attempt;
		if (current == null || current.session() != session || current.mayRetry(this.retryNanos)) {
			synchronized (this.lock) {
				current = this.attempt;
				if (current == null || current.session() != session || current.mayRetry(this.retryNanos)) {
					// Written under the lock and before it is published, so no command
					// of another thread reaches this session ahead of it.
					current = new Attempt(session, send.apply(this.credentials.authenticationValue()),
							System.nanoTime());
					this.attempt = current;
				}
			}
		}
		return current.rejection(this.credentials.username());
	}

	/**
	 * Authenticate {@code session} and wait for memcached's answer, as at startup.
	 * @param session the session just opened
	 * @param send writes the authenticating {@code set}
	 * @param timeoutMillis how long to wait for the answer
	 * @return why the node refused the credentials, or {@code null} when it accepted them
	 * or did not answer in time (left to the reconnects)
	 */
	@Nullable String awaitRejection(Session session, Function<byte[], CompletableFuture<Boolean>> send, long timeoutMillis) {
		prepare(session, send);
		Attempt current = this.attempt;
		if (current == null) {
			return null;
		}
		try {
			current.result().get(timeoutMillis, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
		catch (ExecutionException | TimeoutException ex) {
			// Judged below from the attempt itself.
		}
		return current.refused() ? current.rejection(this.credentials.username()) : null;
	}

	private record Attempt(Session session, CompletableFuture<Boolean> result, long sentAtNanos) {

		boolean mayRetry(long retryNanos) {
			return this.result.isDone() && rejection("") != null && System.nanoTime() - this.sentAtNanos > retryNanos;
		}

		/** Whether memcached answered and said no, rather than not answering. */
		boolean refused() {
			if (!this.result.isDone()) {
				return false;
			}
			try {
				return !this.result.join();
			}
			catch (CompletionException ex) {
				return !(ex.getCause() instanceof NodeOperationException failure && failure.isUnreachable());
			}
		}

		@Nullable String rejection(String username) {
			if (!this.result.isDone()) {
				return null;
			}
			try {
				return this.result.join() ? null : "did not store the credentials of user '" + username + "'";
			}
			catch (CompletionException ex) {
				Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
				if (cause instanceof NodeOperationException failure && failure.isUnreachable()) {
					return "did not answer the authentication of user '" + username + "': " + cause.getMessage();
				}
				return "rejected the credentials of user '" + username + "': " + cause.getMessage();
			}
		}

	}

}
