package io.memquorum.engine;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.memquorum.node.NodeAddress;
import io.memquorum.placement.Placement;
import io.memquorum.refill.Refill;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes the engine's node set while it serves, one change at a time, by the joint rule
 * of {@link Membership}.
 *
 * <h2>Consistency</h2> A change goes through three phases:
 * <ol>
 * <li><b>Refilling</b> (joint): connections to the joining nodes are opened, then a view
 * with both placements is swapped in. Writes need a quorum of the old and of the new
 * owners of their key; reads ask both. Every node of the new placement may lack entries
 * (its misses decide nothing) until refill has filled it for the change, listing every
 * node, the leaving ones included, and reading each key from its owners under both
 * placements ({@link Refill#placementChanged}).</li>
 * <li><b>Settling</b> (still joint): every node is filled; both placements stay in force
 * until the settle period, counted from the start of the change, has passed, so that
 * every other application instance (each resolves on its own) has seen the change and
 * writes to the new owners too before this one stops reading the old.</li>
 * <li><b>Finished</b>: the previous placement is dropped. The leaving nodes' markers are
 * deleted, and their connections closed once every operation that took the joint view has
 * ended.</li>
 * </ol>
 * A node set asked for while a change is in progress waits for it to finish, then starts
 * the next change (only the latest one asked for).
 *
 * <h2>Failure</h2> A joining node that cannot be connected to is retried every
 * maintenance round, with the old view kept meanwhile. A node that never gets filled (it
 * stays down) keeps the change joint: writes of its keys then need its new peers, as with
 * any node that is down. Without refill a change finishes after the settle period alone,
 * and entries only the leaving owners held are lost.
 *
 * <h2>Concurrency</h2> Connections are opened on the engine's connector thread; progress
 * is checked on the maintenance thread; both take this object's lock only for their own
 * bookkeeping. The view itself is one volatile reference
 * ({@link EngineState#membership}).
 */
final class MembershipChanges {

	private static final Logger logger = LoggerFactory.getLogger(ReplicatedMemcached.class);

	private static final int KEPT_CHANGES = 20;

	/**
	 * How long after a change could not start (a joining node refused) it is tried again.
	 */
	private static final long RETRY_MILLIS = 2000;

	private final EngineState state;

	private final Refill refill;

	private final NodeWatch.ConnectionOpener opener;

	private final ExecutorService connector;

	private final ExecutorService closer;

	private final @Nullable Integer replicationFactor;

	private final Duration settle;

	private final boolean refillEnabled;

	/**
	 * How long operations that took a view may still run: its nodes stay open as long.
	 */
	private final Duration drain;

	private final AtomicLong changes = new AtomicLong();

	private final Deque<MembershipStatus.Change> history = new ArrayDeque<>();

	/** The node set asked for last, not yet in force; null when there is none. */
	private @Nullable List<NodeAddress> wanted;

	/** The change in progress, or null. */
	private @Nullable InProgress current;

	private boolean opening;

	/** When a change that could not start may be tried again, epoch milliseconds. */
	private long retryAtMillis;

	/** Nodes that left, whose connections are closed after the drain. */
	private final Set<Node> leaving = ConcurrentHashMap.newKeySet();

	/** Publishes this instance's node set and reads the others'; null when off. */
	private @Nullable NodeSetRecords records;

	/** The different node sets other live instances published at the last refresh. */
	private volatile List<NodeSetRecords.Published> others = List.of();

	MembershipChanges(EngineState state, Refill refill, NodeWatch.ConnectionOpener opener, ExecutorService connector,
			ExecutorService closer, @Nullable Integer replicationFactor, Duration settle, boolean refillEnabled,
			Duration drain) {
		this.state = state;
		this.refill = refill;
		this.opener = opener;
		this.connector = connector;
		this.closer = closer;
		this.replicationFactor = replicationFactor;
		this.settle = settle;
		this.refillEnabled = refillEnabled;
		this.drain = drain;
	}

	/**
	 * Ask for a node set. Returns at once; the change starts on the connector thread, or
	 * once the change in progress finished.
	 * @param nodes the nodes, in the order that names the placement
	 * @throws IllegalArgumentException when the set is empty, lists a node twice, or is
	 * smaller than the configured replication factor
	 */
	void update(List<NodeAddress> nodes) {
		if (nodes.isEmpty()) {
			throw new IllegalArgumentException("At least one memcached node is required");
		}
		if (new LinkedHashSet<>(nodes).size() != nodes.size()) {
			throw new IllegalArgumentException("Memcached nodes must be distinct, got " + nodes);
		}
		if (this.replicationFactor != null && nodes.size() < this.replicationFactor) {
			throw new IllegalArgumentException("The replication factor is " + this.replicationFactor + ", so at least "
					+ this.replicationFactor + " memcached nodes are required, got " + nodes);
		}
		synchronized (this) {
			this.wanted = List.copyOf(nodes);
		}
		startNextChange();
	}

	/**
	 * Publish and read node set records from now on ({@link #refreshRecords}).
	 * @param records the records
	 */
	void publishWith(NodeSetRecords records) {
		this.records = records;
	}

	/**
	 * Publish this instance's node set and read the other instances'; a different set
	 * published by a live instance starts a change that keeps both in force, and keeps a
	 * change from finishing. Blocks on the nodes' answers: runs on its own thread, and
	 * once while the engine starts.
	 */
	void refreshRecords() {
		readRecords();
		startNextChange();
	}

	/**
	 * As {@link #refreshRecords()}, then begin the change it calls for on the calling
	 * thread: the engine serves its first operation with both placements in force.
	 */
	void startWithRecords() {
		readRecords();
		synchronized (this) {
			if (this.current != null || this.opening || this.others.isEmpty()) {
				return;
			}
			this.opening = true;
		}
		begin();
	}

	private void readRecords() {
		NodeSetRecords records = this.records;
		if (records == null) {
			return;
		}
		try {
			Membership view = this.state.membership();
			List<NodeSetRecords.Published> found = records.refresh(view.placement.nodes(), view.replicationFactor());
			if (!found.isEmpty() && this.others.isEmpty()) {
				logger.info("Another memquorum instance places keys by {} where this one uses {}: both placements "
						+ "stay in force while it does", found.get(0).nodes(), view.placement.nodes());
			}
			this.others = found;
		}
		catch (RuntimeException ex) {
			logger.warn("memquorum could not refresh the node set records; continuing", ex);
		}
	}

	/** The different node sets other live instances publish now. */
	List<List<NodeAddress>> otherNodeSets() {
		return this.others.stream().map(NodeSetRecords.Published::nodes).distinct().toList();
	}

	/** One round on the maintenance thread: finish the change in progress when due. */
	void tick() {
		try {
			InProgress change;
			synchronized (this) {
				change = this.current;
			}
			if (change == null) {
				startNextChange();
				return;
			}
			long now = this.state.wallClock.getAsLong();
			if (change.refilledAt == null && isFilled(change)) {
				change.refilledAt = Instant.ofEpochMilli(now);
				logger.info("memquorum node set change {}: every node of the new placement is filled; settling until "
						+ "{}", change.describe(), change.startedAt.plus(this.settle));
				record(change);
			}
			if (change.refilledAt != null && now - change.startedAt.toEpochMilli() >= this.settle.toMillis()
					&& this.others.isEmpty()) {
				finish(change, now);
			}
		}
		catch (RuntimeException ex) {
			// The maintenance thread must survive anything.
			logger.error("memquorum membership check failed; continuing", ex);
		}
	}

	private boolean isFilled(InProgress change) {
		if (!this.refillEnabled) {
			return true;
		}
		for (NodeAddress address : change.to.nodes()) {
			if (!this.refill.isFilled(address)) {
				return false;
			}
		}
		return true;
	}

	private void startNextChange() {
		synchronized (this) {
			if (this.opening) {
				return;
			}
			if (this.current != null) {
				if (this.wanted != null && this.wanted.equals(this.current.from.nodes())) {
					reverse(this.current);
				}
				return;
			}
			if (this.wanted != null && this.wanted.equals(this.state.membership().placement.nodes())) {
				this.wanted = null;
			}
			if (this.wanted == null && this.others.isEmpty()) {
				return;
			}
			if (this.state.wallClock.getAsLong() < this.retryAtMillis) {
				return;
			}
			this.opening = true;
		}
		try {
			this.connector.execute(this::begin);
		}
		catch (RejectedExecutionException ex) {
			// closing
			synchronized (this) {
				this.opening = false;
			}
		}
	}

	/**
	 * The change asked for while one is in progress is back to the set it started from
	 * (DNS answers that flapped, or this instance now sees the set another instance
	 * published): swap the roles of the two placements. Both stay in force throughout.
	 */
	private void reverse(InProgress change) {
		Membership joint = this.state.membership();
		Map<NodeAddress, Node> nodes = new LinkedHashMap<>(joint.nodes);
		Placement to = change.from;
		List<NodeAddress> added = to.nodes().stream().filter((n) -> !change.to.nodes().contains(n)).toList();
		List<NodeAddress> removed = change.to.nodes().stream().filter((n) -> !to.nodes().contains(n)).toList();
		InProgress reversed = new InProgress(change.to, to, added, removed,
				Instant.ofEpochMilli(this.state.wallClock.getAsLong()));
		this.current = reversed;
		this.wanted = null;
		this.changes.incrementAndGet();
		this.refill.placementChanged(nodes, to, change.to);
		this.state.membership(new Membership(nodes, to, change.to));
		record(reversed);
		logger.info("memquorum node set change {} replaces the change in progress, whose old placement it goes back "
				+ "to; both placements stay in force", reversed.describe());
	}

	private int replicationFor(int nodeCount) {
		return (this.replicationFactor != null) ? this.replicationFactor : nodeCount;
	}

	/**
	 * Open the joining nodes and swap in the joint view; runs on the connector thread.
	 * The target is the set asked for, or when none is, this instance's own set kept
	 * joint with a different set another instance published.
	 */
	private void begin() {
		List<NodeAddress> target;
		NodeSetRecords.Published other = null;
		synchronized (this) {
			target = this.wanted;
		}
		try {
			Membership before = this.state.membership();
			if (target == null) {
				if (this.others.isEmpty()) {
					return;
				}
				other = this.others.get(0);
				target = before.placement.nodes();
			}
			Map<NodeAddress, Node> nodes = new LinkedHashMap<>();
			List<NodeAddress> added = new ArrayList<>();
			List<NodeAddress> wantedNodes = new ArrayList<>(target);
			if (other != null) {
				// Nodes only the other instance knows: connected to, as old owners.
				other.nodes().stream().filter((node) -> !wantedNodes.contains(node)).forEach(wantedNodes::add);
			}
			for (NodeAddress address : wantedNodes) {
				Node known = before.node(address);
				if (known == null) {
					known = open(address);
					if (known == null) {
						closeAll(nodes, before);
						synchronized (this) {
							this.retryAtMillis = this.state.wallClock.getAsLong() + RETRY_MILLIS;
						}
						return;
					}
					added.add(address);
				}
				nodes.put(address, known);
			}
			List<NodeAddress> removed = new ArrayList<>();
			for (Node node : before.allNodes()) {
				if (!nodes.containsKey(node.address)) {
					removed.add(node.address);
					nodes.put(node.address, node);
				}
			}
			Placement to = (other != null) ? before.placement : Placement.of(target, replicationFor(target.size()));
			Placement from = (other != null) ? Placement.of(other.nodes(), other.replicationFactor())
					: before.placement;
			if (other != null) {
				// Relative to the other instance's set: its nodes this one does not use
				// are the ones that "leave", this one's own that it lacks "join".
				List<NodeAddress> ownNodes = to.nodes();
				added = new ArrayList<>(ownNodes.stream().filter((n) -> !from.nodes().contains(n)).toList());
				removed = new ArrayList<>(from.nodes().stream().filter((n) -> !ownNodes.contains(n)).toList());
			}
			for (NodeAddress address : wantedNodes) {
				if (before.node(address) != null) {
					continue;
				}
				Node node = nodes.get(address);
				this.state.metrics.registerNode(address, node::state, (ignored) -> node.hints.size());
			}
			InProgress change = new InProgress(from, to, added, removed,
					Instant.ofEpochMilli(this.state.wallClock.getAsLong()));
			change.fromAnotherInstance = other != null;
			this.changes.incrementAndGet();
			// Refill first: every node of the new placement may lack entries before the
			// first operation takes the joint view. The change is in progress only then,
			// so that no check finds its nodes filled under the view before it.
			this.refill.placementChanged(nodes, to, from);
			this.state.membership(new Membership(nodes, to, from));
			synchronized (this) {
				this.current = change;
				if (other == null && target.equals(this.wanted)) {
					this.wanted = null;
				}
			}
			record(change);
			logger.info("memquorum node set change {}: writes go to the old and the new owners of each key until the "
					+ "new owners are filled and {} have passed", change.describe(), this.settle);
		}
		catch (RuntimeException ex) {
			logger.error("memquorum could not start the node set change to {}; keeping {}", target,
					this.state.membership().placement.nodes(), ex);
		}
		finally {
			synchronized (this) {
				this.opening = false;
			}
		}
	}

	private @Nullable Node open(NodeAddress address) {
		EngineSettings settings = this.state.settings;
		try {
			return new Node(address, this.opener.open(address), settings.hintCapacity(), settings.hintBytes(),
					settings.failureThreshold(), settings.operationTimeout());
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("memquorum could not connect to joining node {} ({}); the node set stays {} and the change "
					+ "is retried", address, ex.getMessage(), this.state.membership().placement.nodes());
			return null;
		}
	}

	/** Close the connections opened for a change that could not start. */
	private void closeAll(Map<NodeAddress, Node> opened, Membership before) {
		for (Node node : opened.values()) {
			if (before.node(node.address) == null) {
				node.connection().close();
			}
		}
	}

	private void finish(InProgress change, long now) {
		Membership joint = this.state.membership();
		Map<NodeAddress, Node> nodes = new LinkedHashMap<>();
		for (NodeAddress address : change.to.nodes()) {
			nodes.put(address, joint.node(address));
		}
		this.state.membership(new Membership(nodes, change.to, null));
		this.refill.placementChanged(nodes, change.to, null);
		change.finishedAt = Instant.ofEpochMilli(now);
		record(change);
		synchronized (this) {
			this.current = null;
		}
		for (NodeAddress address : change.removed) {
			Node leaving = joint.node(address);
			if (leaving == null) {
				continue;
			}
			if (!change.fromAnotherInstance) {
				// Another instance's nodes were never this one's to forget: it still
				// uses them.
				this.refill.forget(leaving);
			}
			// Operations that took the joint view may still be waiting on the node.
			this.leaving.add(leaving);
			this.state.maintenance.schedule(() -> closeLater(leaving), this.drain.toMillis(), TimeUnit.MILLISECONDS);
		}
		logger.info("memquorum node set change {} finished: the placement is {}", change.describe(), change.to);
		startNextChange();
	}

	private void closeLater(Node node) {
		try {
			this.closer.execute(() -> {
				if (this.leaving.remove(node)) {
					node.connection().close();
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// closing: the engine closes what is left
		}
	}

	private void record(InProgress change) {
		MembershipStatus.Change snapshot = change.snapshot();
		synchronized (this.history) {
			if (!this.history.isEmpty() && this.history.peekLast().startedAt().equals(change.startedAt)
					&& this.history.peekLast().added().equals(change.added)) {
				this.history.removeLast();
			}
			this.history.addLast(snapshot);
			while (this.history.size() > KEPT_CHANGES) {
				this.history.removeFirst();
			}
		}
	}

	MembershipStatus status() {
		Membership view = this.state.membership();
		InProgress change;
		synchronized (this) {
			change = this.current;
		}
		List<MembershipStatus.Change> changes;
		synchronized (this.history) {
			changes = List.copyOf(this.history);
		}
		if (change == null || view.previous == null) {
			return new MembershipStatus(MembershipStatus.Phase.STABLE, view.placement.nodes(), List.of(), List.of(), 1,
					this.changes.get(), changes, otherNodeSets());
		}
		List<NodeAddress> refilling = new ArrayList<>();
		if (this.refillEnabled) {
			for (NodeAddress address : view.placement.nodes()) {
				if (!this.refill.isFilled(address)) {
					refilling.add(address);
				}
			}
		}
		MembershipStatus.Phase phase = (change.refilledAt == null) ? MembershipStatus.Phase.REFILLING
				: MembershipStatus.Phase.SETTLING;
		return new MembershipStatus(phase, view.placement.nodes(), view.previous.nodes(), refilling, 2,
				this.changes.get(), changes, otherNodeSets());
	}

	/**
	 * Every node with an open connection: the view's, and those that left but are not
	 * closed yet.
	 */
	Set<Node> allNodes() {
		Set<Node> nodes = new LinkedHashSet<>(this.state.membership().allNodes());
		nodes.addAll(this.leaving);
		this.leaving.clear();
		return nodes;
	}

	/** One change in progress; its times are written under the lock or by one thread. */
	private static final class InProgress {

		final Placement from;

		final Placement to;

		final List<NodeAddress> added;

		final List<NodeAddress> removed;

		final Instant startedAt;

		volatile @Nullable Instant refilledAt;

		volatile @Nullable Instant finishedAt;

		/** Whether the old placement is another instance's published set. */
		boolean fromAnotherInstance;

		InProgress(Placement from, Placement to, List<NodeAddress> added, List<NodeAddress> removed,
				Instant startedAt) {
			this.from = from;
			this.to = to;
			this.added = List.copyOf(added);
			this.removed = List.copyOf(removed);
			this.startedAt = startedAt;
		}

		MembershipStatus.Change snapshot() {
			return new MembershipStatus.Change(this.added, this.removed, this.startedAt, this.refilledAt,
					this.finishedAt);
		}

		String describe() {
			return "(added " + this.added + ", removed " + this.removed + ")";
		}

	}

}
