package io.memquorum.node;

import java.util.concurrent.CompletableFuture;

import net.rubyeye.xmemcached.command.Command;
import org.jspecify.annotations.Nullable;

/**
 * A command tracked for its timeout. Answered commands stay in the queue until a scan
 * reaches them, so an answer releases the command and its future at once: otherwise each
 * answered command would keep its encoded bytes and its result (a value read, a value
 * written) alive until the next scan, megabytes on a busy connection.
 */
final class InFlightCommand {

	private volatile @Nullable Command command;

	private volatile @Nullable CompletableFuture<?> future;

	final long deadlineNanos;

	InFlightCommand(Command command, CompletableFuture<?> future, long deadlineNanos) {
		this.command = command;
		this.future = future;
		this.deadlineNanos = deadlineNanos;
	}

	boolean isAnswered() {
		CompletableFuture<?> pending = this.future;
		return pending == null || pending.isDone();
	}

	void answered() {
		this.command = null;
		this.future = null;
	}

	/**
	 * Time the command out unless it was answered.
	 * @return whether it was timed out
	 */
	boolean timeOut(Throwable failure) {
		Command pending = this.command;
		CompletableFuture<?> waiting = this.future;
		if (waiting == null || waiting.isDone()) {
			return false;
		}
		// A paused node keeps the command queued; cancelling keeps it from being
		// written later if it has not been written yet.
		if (pending != null) {
			pending.cancel();
		}
		return waiting.completeExceptionally(failure);
	}

	void fail(Throwable failure) {
		CompletableFuture<?> waiting = this.future;
		if (waiting != null) {
			waiting.completeExceptionally(failure);
		}
	}

}
