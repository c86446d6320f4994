package io.memquorum.autoconfigure.endpoint;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.memquorum.autoconfigure.endpoint.NodesDescriptor.RefillDescriptor;
import io.memquorum.cache.MemquorumCache;
import io.memquorum.engine.NodeStatus;
import io.memquorum.engine.ReplicatedMemcached;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.Selector.Match;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;

/**
 * The {@code memquorum} web endpoint, for operators. Like Boot's own sensitive endpoints
 * it is not exposed unless {@code management.endpoints.web.exposure.include} names it,
 * and whoever may reach it should be an operator: it starts refills and names keys.
 * <ul>
 * <li>{@code GET /actuator/memquorum}: every node with its state, the hints this instance
 * owes it and its refill ({@link NodesDescriptor}).</li>
 * <li>{@code GET /actuator/memquorum/keys/{key}?cache=NAME}: the replicas of the entry of
 * cache {@code NAME} whose key the cache's key mapper maps to {@code key} (a string key
 * as it is, others as the mapper writes them, for example {@code #Long(42)}, sent as
 * {@code %23Long(42)}), and what each holds ({@link KeyDescriptor}).</li>
 * <li>{@code GET /actuator/memquorum/keys?session=ID}: the same for a session. The id is
 * a query parameter, since error pages repeat the path; it is hashed into the storage key
 * at once and appears in no answer, no error and no log line.</li>
 * <li>{@code POST /actuator/memquorum/nodes/{host:port}/verify}: have refill verify the
 * node against its peers now ({@link ReplicatedMemcached#verify}); 202 with its refill
 * status when queued, 409 when the node is down or refill cannot verify.</li>
 * </ul>
 * Answers never carry a stored value: replicas are described by kind, version, expiry and
 * size.
 */
@WebEndpoint(id = "memquorum")
public class MemquorumEndpoint {

	static final String KEYS = "keys";

	static final String NODES = "nodes";

	static final String VERIFY = "verify";

	private static final int STATUS_ACCEPTED = 202;

	private static final int STATUS_CONFLICT = 409;

	private final ReplicatedMemcached engine;

	/** Where the cache manager and the session repository are found, when asked. */
	private final BeanFactory beans;

	/**
	 * The endpoint of one engine.
	 * @param engine the engine
	 * @param beans where the cache manager and the session repository are looked up, at
	 * request time (either may be absent, and Spring Session may not be on the class
	 * path)
	 */
	public MemquorumEndpoint(ReplicatedMemcached engine, BeanFactory beans) {
		this.engine = engine;
		this.beans = beans;
	}

	@ReadOperation
	public NodesDescriptor nodes() {
		return NodesDescriptor.of(this.engine);
	}

	/**
	 * The replicas of a cache key.
	 * @param path {@code keys}, then the key's segments. One selector takes the whole
	 * path: with a selector before a match-all-remaining one, WebFlux hands the earlier
	 * segments to the last one as well ({@code keys/#Long(11)} for {@code #Long(11)}),
	 * while Spring MVC does not
	 * @param cache the cache name
	 * @return what each replica holds, under the key's storage key
	 */
	@ReadOperation
	public KeyDescriptor key(@Selector(match = Match.ALL_REMAINING) String[] path, String cache) {
		requireKeys((path.length > 0) ? path[0] : "");
		String joined = String.join("/", Arrays.asList(path).subList(1, path.length));
		if (joined.isEmpty()) {
			throw new InvalidEndpointRequestException("The key is empty", "Empty key");
		}
		String storageKey = cache(cache).storageKeyOfMapped(joined);
		return KeyDescriptor.of("cache", cache, storageKey, this.engine.inspect(storageKey));
	}

	/**
	 * The replicas of a session. The id comes as a query parameter, never in the path:
	 * error pages and logs repeat paths.
	 * @param section {@code keys}
	 * @param session the session id (not the cookie value, which is its base64)
	 * @return what each replica holds, under the id's hashed storage key
	 */
	@ReadOperation
	public KeyDescriptor session(@Selector String section, String session) {
		requireKeys(section);
		// The id goes no further than this line: only its hash is used and shown.
		String storageKey = SessionStorageKeys.PRESENT ? SessionStorageKeys.of(this.beans, session) : null;
		if (storageKey == null) {
			throw new InvalidEndpointRequestException("This application stores no sessions in memquorum",
					"No memquorum session store");
		}
		return KeyDescriptor.of("session", null, storageKey, this.engine.inspect(storageKey));
	}

	private static void requireKeys(String section) {
		if (!KEYS.equals(section)) {
			throw new InvalidEndpointRequestException(
					"Unknown path /" + section + "; use /keys/{key}?cache=<name> or /keys?session=<id>",
					"Unknown path");
		}
	}

	private MemquorumCache cache(String name) {
		CacheManager manager = this.beans.getBeanProvider(CacheManager.class).getIfAvailable();
		// Only caches that exist: a lookup must not create one.
		Cache found = (manager != null && manager.getCacheNames().contains(name)) ? manager.getCache(name) : null;
		MemquorumCache cache = MemquorumCaches.unwrap(found);
		if (cache == null) {
			throw new InvalidEndpointRequestException(
					"No memquorum cache named '" + name + "'; its caches are "
							+ ((manager != null) ? MemquorumCaches.names(manager) : List.of()),
					"No such memquorum cache");
		}
		return cache;
	}

	@WriteOperation
	public WebEndpointResponse<VerifyDescriptor> verify(@Selector String section, @Selector String node,
			@Selector String action) {
		if (!NODES.equals(section) || !VERIFY.equals(action)) {
			throw new InvalidEndpointRequestException(
					"Unknown path /" + section + "/" + node + "/" + action + "; use /nodes/{host:port}/verify",
					"Unknown path");
		}
		Optional<NodeStatus> status = this.engine.nodeStatus()
			.stream()
			.filter((candidate) -> candidate.address().toString().equals(node))
			.findFirst();
		if (status.isEmpty()) {
			throw new InvalidEndpointRequestException("No memcached node " + node + "; the nodes are "
					+ this.engine.nodeStatus().stream().map((candidate) -> candidate.address().toString()).toList(),
					"No such node");
		}
		boolean started = this.engine.verify(status.get().address(), "an operator asked for it");
		String message = started ? "Verification queued; follow its refill phase (VERIFYING, then COMPLETE)"
				: "Not started: the node is down, or refill cannot verify (it is off, or a node runs without its "
						+ "LRU crawler)";
		RefillDescriptor refill = this.engine.refillStatus()
			.stream()
			.filter((candidate) -> candidate.address().equals(status.get().address()))
			.findFirst()
			.map(RefillDescriptor::of)
			.orElse(null);
		return new WebEndpointResponse<>(new VerifyDescriptor(node, started, message, refill),
				started ? STATUS_ACCEPTED : STATUS_CONFLICT);
	}

	/**
	 * What {@code POST /actuator/memquorum/nodes/{node}/verify} answers.
	 *
	 * @param node the node
	 * @param started whether a verifying run is queued (or already was)
	 * @param message what happens next, or why nothing does
	 * @param refill the node's refill as it stands now
	 */
	public record VerifyDescriptor(String node, boolean started, String message, @Nullable RefillDescriptor refill) {

	}

}
