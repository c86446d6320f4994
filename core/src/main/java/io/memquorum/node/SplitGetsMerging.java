package io.memquorum.node;

import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.LongAdder;

import com.google.code.yanf4j.config.Configuration;
import com.google.code.yanf4j.core.WriteMessage;
import com.google.code.yanf4j.nio.NioSession;
import com.google.code.yanf4j.nio.NioSessionConfig;
import net.rubyeye.xmemcached.CommandFactory;
import net.rubyeye.xmemcached.MemcachedOptimizer;
import net.rubyeye.xmemcached.MemcachedSessionComparator;
import net.rubyeye.xmemcached.MemcachedSessionLocator;
import net.rubyeye.xmemcached.buffer.BufferAllocator;
import net.rubyeye.xmemcached.command.Command;
import net.rubyeye.xmemcached.command.OperationStatus;
import net.rubyeye.xmemcached.impl.MemcachedConnector;
import net.rubyeye.xmemcached.impl.MemcachedTCPSession;
import net.rubyeye.xmemcached.impl.Optimizer;
import net.rubyeye.xmemcached.utils.Protocol;

/**
 * xmemcached's write path with one addition: split gets waiting in a connection's write
 * queue when the reactor writes go out as one {@link SplitGetsBatch}. xmemcached merges
 * only its own get commands, whose replies it copies into one array per item; the rest of
 * its optimization (its own gets merged, small commands' buffers joined into one write)
 * is kept by delegating to its optimizer.
 *
 * <p>
 * Nothing waits for a batch to fill: commands queue only while the reactor is busy
 * writing or reading, so a lone get goes out alone and at once.
 */
final class SplitGetsMerging implements MemcachedOptimizer {

	/** As xmemcached's own merge factor: at most about 8 KB of keys on one line. */
	static final int MAX_BATCH = 32;

	private final Optimizer xmemcached = new Optimizer(Protocol.Text);

	private final LongAdder batchedGets = new LongAdder();

	@Override
	@SuppressWarnings("rawtypes")
	public Command optimize(Command currentCommand, Queue writeQueue, Queue<Command> executingCmds,
			int sendBufferSize) {
		Command command = (currentCommand instanceof SplitGetsCommand || currentCommand instanceof SplitGetsBatch)
				? batch(currentCommand, writeQueue) : currentCommand;
		return this.xmemcached.optimize(command, writeQueue, executingCmds, sendBufferSize);
	}

	/** How many split gets went out in a batch, rather than alone; for tests. */
	long batchedGets() {
		return this.batchedGets.sum();
	}

	/**
	 * The first command (a split get, or two sent together) and the split gets queued
	 * right behind it, as one command.
	 */
	@SuppressWarnings("rawtypes")
	private Command batch(Command first, Queue writeQueue) {
		List<SplitGetsCommand> gets = null;
		Object queued;
		while (((queued = writeQueue.peek()) instanceof SplitGetsCommand || queued instanceof SplitGetsBatch)
				&& (gets == null || gets.size() < MAX_BATCH)) {
			Command next = (Command) queued;
			writeQueue.remove();
			if (next.isCancel()) {
				continue;
			}
			next.setStatus(OperationStatus.WRITING);
			if (gets == null) {
				gets = new ArrayList<>(8);
				addTo(gets, first);
			}
			addTo(gets, next);
		}
		if (gets == null) {
			return first;
		}
		first.setStatus(OperationStatus.WRITING);
		this.batchedGets.add(gets.size());
		return new SplitGetsBatch(gets);
	}

	private static void addTo(List<SplitGetsCommand> gets, Command command) {
		if (command instanceof SplitGetsBatch batch) {
			gets.addAll(batch.gets());
		}
		else {
			gets.add((SplitGetsCommand) command);
		}
	}

	@Override
	@Deprecated
	public void setBufferAllocator(BufferAllocator bufferAllocator) {
		// xmemcached ignores it too
	}

	/**
	 * xmemcached's connector, building sessions whose write path merges split gets.
	 */
	static final class Connector extends MemcachedConnector {

		private final SplitGetsMerging optimizer = new SplitGetsMerging();

		SplitGetsMerging optimizer() {
			return this.optimizer;
		}

		private final CommandFactory commandFactory;

		Connector(Configuration configuration, MemcachedSessionLocator locator, MemcachedSessionComparator comparator,
				BufferAllocator allocator, CommandFactory commandFactory, int poolSize,
				int maxQueuedNoReplyOperations) {
			super(configuration, locator, comparator, allocator, commandFactory, poolSize, maxQueuedNoReplyOperations);
			this.commandFactory = commandFactory;
		}

		@Override
		protected NioSession buildSession(SocketChannel channel) {
			Queue<WriteMessage> queue = buildQueue();
			NioSessionConfig sessionConfig = buildSessionConfig(channel, queue);
			MemcachedTCPSession session = new ImmediateWriteSession(sessionConfig,
					this.configuration.getSessionReadBufferSize(), this.optimizer, getReadThreadCount(),
					this.commandFactory);
			session.setBufferAllocator(getBufferAllocator());
			return session;
		}

	}

}
