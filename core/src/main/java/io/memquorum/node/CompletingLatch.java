package io.memquorum.node;

import java.util.concurrent.CountDownLatch;

/**
 * A one-shot latch that runs a callback when xmemcached counts it down.
 *
 * <p>
 * xmemcached signals a finished command only through its {@link CountDownLatch}: the
 * reactor thread counts it down when the reply is decoded, and when the session closes.
 * Handing each command this latch turns that signal into a completion callback, so that
 * no thread waits on a reply.
 */
final class CompletingLatch extends CountDownLatch {

	private final Runnable onCountDown;

	CompletingLatch(Runnable onCountDown) {
		super(1);
		this.onCountDown = onCountDown;
	}

	@Override
	public void countDown() {
		boolean first = getCount() > 0;
		super.countDown();
		if (first) {
			this.onCountDown.run();
		}
	}

}
