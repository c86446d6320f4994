package io.memquorum.node;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import com.google.code.yanf4j.core.Session;
import net.rubyeye.xmemcached.command.Command;
import net.rubyeye.xmemcached.command.CommandType;
import net.rubyeye.xmemcached.transcoders.CachedData;
import org.jspecify.annotations.Nullable;

/**
 * The pipelined, asynchronous connection to one memcached node.
 *
 * <p>
 * Each node gets its own xmemcached client holding exactly one server, so xmemcached has
 * nothing to route and can never move a key to another node: routing, replication and
 * failure handling stay in the engine. Commands are written straight to the node's NIO
 * session and complete a {@link CompletableFuture} from the reactor thread, so many
 * commands share one connection in flight and no caller thread is parked per command.
 *
 * <p>
 * Every future completes within the operation timeout (checked every few milliseconds by
 * this connection's own thread, or by the caller's scan): with the reply, or
 * exceptionally with a {@link NodeOperationException}. Dependent stages run on
 * xmemcached's reactor thread or the timeout thread and must not block.
 */
public final class NodeConnection implements AutoCloseable {

	static final RawTranscoder RAW = new RawTranscoder();

	/** The key of the authenticating {@code set}; memcached does not store it. */
	static final String AUTHENTICATION_KEY = "memquorum-auth";

	/**
	 * What memcached answers to any command of a connection that has not authenticated.
	 */
	private static final String UNAUTHENTICATED = "unauthenticated";

	/** How often in-flight commands are checked for their timeout. */
	private static final long TIMEOUT_TICK_MILLIS = 5;

	private static final Function<Command, @Nullable StoredItem> SPLIT_ITEM = (
			command) -> (StoredItem) command.getResult();

	private final NodeAddress address;

	private final PipelinedClient client;

	private final long timeoutMillis;

	private final long timeoutNanos;

	/**
	 * Commands sent and not yet known to be answered, oldest first. One queue scanned
	 * every few milliseconds replaces a timer task per command, which cost a wake-up of
	 * the timer thread and two locked queue operations on every command.
	 */
	private final ConcurrentLinkedQueue<InFlightCommand> inFlight = new ConcurrentLinkedQueue<>();

	private final @Nullable ScheduledFuture<?> timeoutScan;

	/** Authenticates each new session first; null when the node needs no credentials. */
	private final @Nullable TextProtocolAuthentication authentication;

	/** The executor this connection created for itself, shut down on close; or null. */
	private final @Nullable ScheduledExecutorService ownTimeouts;

	/**
	 * Connect to one node. A node that is down now is not an error: xmemcached keeps
	 * trying to reconnect in the background, and commands fail fast until it does.
	 * @param address the node
	 * @param connectTimeout how long to wait for the TCP connection
	 * @param operationTimeout how long any one command may take
	 * @param reconnectInterval how often to retry a lost connection
	 * @throws IOException when the xmemcached client cannot start
	 */
	public NodeConnection(NodeAddress address, Duration connectTimeout, Duration operationTimeout,
			Duration reconnectInterval) throws IOException {
		this(address, connectTimeout, operationTimeout, reconnectInterval, true, null);
	}

	/**
	 * Connect to one node that may require a username and password. With credentials,
	 * every new connection, reconnects included, authenticates before any other command
	 * ({@link TextProtocolAuthentication}), and when the node is reachable now its answer
	 * is awaited here, so that a wrong password fails at startup.
	 * @param address the node
	 * @param connectTimeout how long to wait for the TCP connection
	 * @param operationTimeout how long any one command may take
	 * @param reconnectInterval how often to retry a lost connection
	 * @param credentials what memcached's {@code -Y} auth file expects, or {@code null}
	 * when the node accepts every connection
	 * @throws IOException when the xmemcached client cannot start
	 * @throws NodeAuthenticationException when the node refuses the credentials
	 */
	public NodeConnection(NodeAddress address, Duration connectTimeout, Duration operationTimeout,
			Duration reconnectInterval, @Nullable NodeCredentials credentials) throws IOException {
		this(address, connectTimeout, operationTimeout, reconnectInterval, true, credentials);
	}

	/**
	 * Connect to one node whose command timeouts are scanned by the caller, through
	 * {@link #expireOverdue(long, FailureEvent)}, so that one scan can judge every node
	 * at the same instant (see the engine's failure detection).
	 * @param address the node
	 * @param connectTimeout how long to wait for the TCP connection
	 * @param operationTimeout how long any one command may take
	 * @param reconnectInterval how often to retry a lost connection
	 * @return the connection
	 * @throws IOException when the xmemcached client cannot start
	 */
	public static NodeConnection scannedByCaller(NodeAddress address, Duration connectTimeout,
			Duration operationTimeout, Duration reconnectInterval) throws IOException {
		return new NodeConnection(address, connectTimeout, operationTimeout, reconnectInterval, false, null);
	}

	/**
	 * Connect to one node whose command timeouts are scanned by the caller and that may
	 * require a username and password (see
	 * {@link #NodeConnection(NodeAddress, Duration, Duration, Duration, NodeCredentials)}).
	 * @param address the node
	 * @param connectTimeout how long to wait for the TCP connection
	 * @param operationTimeout how long any one command may take
	 * @param reconnectInterval how often to retry a lost connection
	 * @param credentials what memcached's {@code -Y} auth file expects, or {@code null}
	 * @return the connection
	 * @throws IOException when the xmemcached client cannot start
	 * @throws NodeAuthenticationException when the node refuses the credentials
	 */
	public static NodeConnection scannedByCaller(NodeAddress address, Duration connectTimeout,
			Duration operationTimeout, Duration reconnectInterval, @Nullable NodeCredentials credentials)
			throws IOException {
		return new NodeConnection(address, connectTimeout, operationTimeout, reconnectInterval, false, credentials);
	}

	private NodeConnection(NodeAddress address, Duration connectTimeout, Duration operationTimeout,
			Duration reconnectInterval, boolean ownScan, @Nullable NodeCredentials credentials) throws IOException {
		this.address = address;
		this.authentication = (credentials != null)
				? new TextProtocolAuthentication(credentials, reconnectInterval.toNanos()) : null;
		this.timeoutMillis = Math.max(1, operationTimeout.toMillis());
		this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(this.timeoutMillis);
		this.ownTimeouts = !ownScan ? null : Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "memquorum-timeouts-" + address);
			thread.setDaemon(true);
			return thread;
		});
		try {
			this.client = new PipelinedClient(address, connectTimeout.toMillis(), reconnectInterval.toMillis());
		}
		catch (IOException | RuntimeException ex) {
			if (this.ownTimeouts != null) {
				this.ownTimeouts.shutdownNow();
			}
			throw ex;
		}
		this.timeoutScan = (this.ownTimeouts == null) ? null
				: this.ownTimeouts.scheduleWithFixedDelay(
						() -> expireOverdue(System.nanoTime(), FailureEvent.next(false)), TIMEOUT_TICK_MILLIS,
						TIMEOUT_TICK_MILLIS, TimeUnit.MILLISECONDS);
		if (this.authentication != null) {
			awaitAuthentication(this.authentication);
		}
	}

	/**
	 * Authenticate the connection opened by the constructor, if any, and fail when the
	 * node refuses. A node that cannot be reached now is left to the reconnects.
	 */
	private void awaitAuthentication(TextProtocolAuthentication authentication) {
		Session session = this.client.openSession();
		if (session == null) {
			return;
		}
		String rejection = authentication.awaitRejection(session, (value) -> authenticate(session, value),
				this.timeoutMillis * 2);
		if (rejection != null) {
			close();
			throw new NodeAuthenticationException(this.address,
					rejection + " (check memquorum.username and memquorum.password against the node's -Y auth file)");
		}
	}

	public NodeAddress address() {
		return this.address;
	}

	/**
	 * The address this connection resolved its node's host name to when it was opened.
	 * @return the resolved socket address, as text
	 */
	public String remoteAddress() {
		return String.valueOf(this.client.socketAddress());
	}

	/**
	 * A reader of the node's key listing, over a socket of its own that authenticates
	 * with this connection's credentials, if any: every connection to a node started with
	 * {@code -Y} must.
	 * @param timeout how long connecting, and each wait for more bytes, may take
	 * @return the reader
	 */
	public MetadumpReader keyListing(Duration timeout) {
		return new MetadumpReader(this.address, timeout,
				(this.authentication != null) ? this.authentication.credentials() : null);
	}

	/**
	 * Whether a TCP connection to the node is open right now. A paused node keeps its
	 * connection, so {@code true} does not mean it answers.
	 * @return whether an open session exists
	 */
	public boolean isConnected() {
		return this.client.openSession() != null;
	}

	public CompletableFuture<@Nullable StoredItem> gets(String key) {
		Command command = this.client.commandFactory().createGetCommand(key, bytes(key), CommandType.GETS_ONE, RAW);
		return send(command, (c) -> toItem((CachedData) c.getResult()));
	}

	/**
	 * As {@link #gets(String)}, reading an item stored under the layout's flags straight
	 * into its parts ({@link ItemLayout}), so that its body is never copied.
	 * @param key the key
	 * @param layout how items split
	 * @return the item, or {@code null} on a miss
	 */
	public CompletableFuture<@Nullable StoredItem> gets(String key, ItemLayout layout) {
		return send(new SplitGetsCommand(key, bytes(key), layout), SPLIT_ITEM);
	}

	@SuppressWarnings("unchecked")
	public CompletableFuture<Map<String, StoredItem>> getsMulti(Collection<String> keys) {
		if (keys.isEmpty()) {
			return CompletableFuture.completedFuture(Collections.emptyMap());
		}
		if (keys.size() == 1) {
			String key = keys.iterator().next();
			return gets(key).thenApply((item) -> (item != null) ? Map.of(key, item) : Map.of());
		}
		Command command = this.client.commandFactory().createGetMultiCommand(keys, null, CommandType.GETS_MANY, RAW);
		return send(command, (c) -> {
			Map<String, CachedData> raw = (Map<String, CachedData>) c.getResult();
			Map<String, StoredItem> items = new LinkedHashMap<>();
			if (raw != null) {
				raw.forEach((key, data) -> items.put(key, toItem(data)));
			}
			return items;
		});
	}

	public CompletableFuture<Boolean> set(String key, int expiry, StoredValue value) {
		return store(this.client.commandFactory().createSetCommand(key, bytes(key), expiry, value, false, RAW));
	}

	public CompletableFuture<Boolean> add(String key, int expiry, StoredValue value) {
		return store(this.client.commandFactory().createAddCommand(key, bytes(key), expiry, value, false, RAW));
	}

	/**
	 * Store only if the item still carries {@code cas}.
	 * @param key the key
	 * @param expiry the memcached expiry
	 * @param value the value
	 * @param cas the token from a previous {@link #gets}
	 * @return {@code true} when stored, {@code false} when the item changed or vanished
	 */
	public CompletableFuture<Boolean> cas(String key, int expiry, StoredValue value, long cas) {
		return store(this.client.commandFactory().createCASCommand(key, bytes(key), expiry, value, cas, false, RAW));
	}

	public CompletableFuture<Boolean> delete(String key) {
		return store(this.client.commandFactory().createDeleteCommand(key, bytes(key), 0, 0, false));
	}

	public CompletableFuture<Boolean> touch(String key, int expiry) {
		return store(this.client.commandFactory().createTouchCommand(key, bytes(key), null, expiry, false));
	}

	@SuppressWarnings("unchecked")
	public CompletableFuture<Map<String, String>> stats() {
		Command command = this.client.commandFactory().createStatsCommand(this.client.socketAddress(), null, null);
		return send(command, (c) -> {
			Map<String, String> stats = (Map<String, String>) c.getResult();
			return (stats != null) ? stats : Map.of();
		});
	}

	public CompletableFuture<Boolean> flushAll() {
		return store(this.client.commandFactory().createFlushAllCommand(null, 0, false));
	}

	private CompletableFuture<Boolean> store(Command command) {
		return send(command, (c) -> Boolean.TRUE.equals(c.getResult()));
	}

	/**
	 * Two split gets ({@link #gets(String, ItemLayout)}) sent as one request, so that
	 * both are answered in one round trip by the same memcached: one write on the
	 * connection, and one line that further split gets queued with it join.
	 * @param first the first key
	 * @param second the second key
	 * @param layout how items split
	 * @return the two items, {@code null} for a miss
	 */
	public CompletableFuture<@Nullable StoredItem[]> getsTogether(String first, String second, ItemLayout layout) {
		Session session = this.client.openSession();
		String unusable = unusable(session);
		if (unusable != null) {
			return CompletableFuture.failedFuture(NodeOperationException.unreachable(this.address, unusable, null));
		}
		SplitGetsCommand firstGet = new SplitGetsCommand(first, bytes(first), layout);
		SplitGetsCommand secondGet = new SplitGetsCommand(second, bytes(second), layout);
		CompletableFuture<@Nullable StoredItem> firstItem = tracked(firstGet, SPLIT_ITEM);
		CompletableFuture<@Nullable StoredItem> secondItem = tracked(secondGet, SPLIT_ITEM);
		try {
			session.write(new SplitGetsBatch(List.of(firstGet, secondGet)));
		}
		catch (RuntimeException ex) {
			NodeOperationException rejected = NodeOperationException.unreachable(this.address,
					"rejected the command: " + ex.getMessage(), ex);
			firstItem.completeExceptionally(rejected);
			secondItem.completeExceptionally(rejected);
		}
		return firstItem.thenCombine(secondItem, (one, two) -> new StoredItem[] { one, two });
	}

	private <T> CompletableFuture<T> send(Command command, Function<Command, T> resultOf) {
		Session session = this.client.openSession();
		String unusable = unusable(session);
		if (unusable != null) {
			return CompletableFuture.failedFuture(NodeOperationException.unreachable(this.address, unusable, null));
		}
		return sendOn(session, command, resultOf);
	}

	/**
	 * Why commands cannot be sent on a session now, or {@code null} when they can: no
	 * session, or an authentication that has not succeeded (started here when due).
	 */
	private @Nullable String unusable(@Nullable Session session) {
		if (session == null) {
			return "is not connected";
		}
		if (this.authentication != null) {
			return this.authentication.prepare(session, (value) -> authenticate(session, value));
		}
		return null;
	}

	/**
	 * memcached's text-protocol authentication: a {@code set} of any key whose value is
	 * {@code user password}.
	 */
	private CompletableFuture<Boolean> authenticate(Session session, byte[] value) {
		Command command = this.client.commandFactory()
			.createSetCommand(AUTHENTICATION_KEY, bytes(AUTHENTICATION_KEY), 0, new StoredValue(0, value), false, RAW);
		return sendOn(session, command, (c) -> Boolean.TRUE.equals(c.getResult()));
	}

	private <T> CompletableFuture<T> sendOn(Session session, Command command, Function<Command, T> resultOf) {
		CompletableFuture<T> future = tracked(command, resultOf);
		try {
			session.write(command);
		}
		catch (RuntimeException ex) {
			future.completeExceptionally(
					NodeOperationException.unreachable(this.address, "rejected the command: " + ex.getMessage(), ex));
		}
		return future;
	}

	/**
	 * The future of a command about to be written: completed by its latch, timed out by
	 * the scan.
	 */
	private <T> CompletableFuture<T> tracked(Command command, Function<Command, T> resultOf) {
		CompletableFuture<T> future = new CompletableFuture<>();
		InFlightCommand tracked = new InFlightCommand(command, future, System.nanoTime() + this.timeoutNanos);
		command.setLatch(new CompletingLatch(() -> {
			complete(command, resultOf, future);
			tracked.answered();
		}));
		this.inFlight.add(tracked);
		return future;
	}

	/**
	 * Whether some command has waited longer than the operation timeout; forgets the
	 * answered commands at the head of the queue on the way. Called by one scanning
	 * thread.
	 * @param nowNanos the scan's {@link System#nanoTime()}
	 * @return whether {@link #expireOverdue} would time a command out
	 */
	public boolean hasOverdue(long nowNanos) {
		InFlightCommand head;
		while ((head = this.inFlight.peek()) != null) {
			if (!head.isAnswered()) {
				return nowNanos - head.deadlineNanos >= 0;
			}
			// Answered: forget it here, or the queue would grow until some command
			// times out.
			this.inFlight.poll();
		}
		return false;
	}

	/** How many split gets went out batched with others; for tests. */
	long batchedGets() {
		return ((SplitGetsMerging.Connector) this.client.getConnector()).optimizer().batchedGets();
	}

	/** Commands still tracked for their timeout, answered or not; for tests. */
	int trackedCommands() {
		return this.inFlight.size();
	}

	/**
	 * Time out the commands that have waited longer than the operation timeout, all as
	 * one failure event. Commands are queued in the order they were sent and all have the
	 * same timeout, so the scan stops at the first command that is neither answered nor
	 * due.
	 * @param nowNanos the scan's {@link System#nanoTime()}
	 * @param event the failure event the timeouts belong to
	 * @return how many commands timed out
	 */
	public int expireOverdue(long nowNanos, FailureEvent event) {
		int expired = 0;
		InFlightCommand head;
		while ((head = this.inFlight.peek()) != null) {
			if (!head.isAnswered() && nowNanos - head.deadlineNanos < 0) {
				return expired;
			}
			this.inFlight.poll();
			if (!head.isAnswered() && head.timeOut(
					NodeOperationException.timeout(this.address, this.timeoutMillis, event, new TimeoutException()))) {
				expired++;
			}
		}
		return expired;
	}

	private <T> void complete(Command command, Function<Command, T> resultOf, CompletableFuture<T> future) {
		try {
			Exception failure = command.getException();
			if (failure != null) {
				// xmemcached reports a closed session as a plain MemcachedException;
				// error
				// replies from the server have their own subclasses.
				boolean errorReply = failure instanceof net.rubyeye.xmemcached.exception.MemcachedServerException
						|| failure instanceof net.rubyeye.xmemcached.exception.MemcachedClientException
						|| failure instanceof net.rubyeye.xmemcached.exception.UnknownCommandException;
				String what = "failed: " + failure.getMessage();
				if (errorReply && String.valueOf(failure.getMessage()).contains(UNAUTHENTICATED)) {
					// Every command would get the same answer: the node is unusable to
					// us, not one command wrong.
					future.completeExceptionally(NodeOperationException.unreachable(this.address,
							"requires authentication; set memquorum.username and memquorum.password", failure));
					return;
				}
				future.completeExceptionally(errorReply ? NodeOperationException.errorReply(this.address, what, failure)
						: NodeOperationException.unreachable(this.address, what, failure));
			}
			else {
				future.complete(resultOf.apply(command));
			}
		}
		catch (RuntimeException ex) {
			// Runs on the reactor thread: nothing may escape it.
			future.completeExceptionally(
					NodeOperationException.errorReply(this.address, "sent a reply that could not be read", ex));
		}
	}

	private static @Nullable StoredItem toItem(@Nullable CachedData data) {
		if (data == null) {
			return null;
		}
		return new StoredItem(data.getFlag(), data.getData(), data.getCas());
	}

	private static byte[] bytes(String key) {
		return key.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
	}

	/**
	 * Close the connection. Commands still in flight fail at once as unreachable, so that
	 * nothing waits for a connection that no longer exists.
	 */
	@Override
	public void close() {
		if (this.timeoutScan != null) {
			this.timeoutScan.cancel(false);
		}
		InFlightCommand pending;
		while ((pending = this.inFlight.poll()) != null) {
			pending.fail(NodeOperationException.unreachable(this.address, "closed its connection", null));
		}
		if (this.ownTimeouts != null) {
			this.ownTimeouts.shutdownNow();
		}
		try {
			// xmemcached's shutdown sends "quit" and waits up to five seconds for each
			// session to close; memcached ignores "quit" from a connection that has not
			// authenticated, so close the sessions ourselves first.
			this.client.closeSessions();
			this.client.shutdown();
		}
		catch (IOException ex) {
			// Closing a dead connection is allowed to fail; nothing is left to release.
		}
	}

	@Override
	public String toString() {
		return "NodeConnection[" + this.address + "]";
	}

	/**
	 * A value with the flags it is stored under.
	 *
	 * @param flags memcached client flags
	 * @param data the bytes to store
	 */
	public record StoredValue(int flags, byte[] data) {

	}

}
