package io.memquorum.sample.webflux.web;

import java.security.Principal;
import java.util.List;
import java.util.Map;

import io.memquorum.sample.catalog.Product;
import io.memquorum.sample.catalog.SlowProductBackend;
import io.memquorum.sample.cluster.ClusterPanel;
import io.memquorum.sample.cluster.NodeView;
import io.memquorum.sample.webflux.ReactiveProductCatalog;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The JSON API that the README tour and the tests use, as in the servlet sample: who is
 * logged in, products, how often the slow backend ran, and the cluster panel.
 */
@RestController
class ApiController {

	private final ReactiveProductCatalog catalog;

	private final SlowProductBackend backend;

	private final ClusterPanel clusterPanel;

	ApiController(ReactiveProductCatalog catalog, SlowProductBackend backend, ClusterPanel clusterPanel) {
		this.catalog = catalog;
		this.backend = backend;
		this.clusterPanel = clusterPanel;
	}

	@GetMapping("/api/me")
	Map<String, String> me(Principal principal) {
		return Map.of("username", principal.getName());
	}

	@GetMapping("/api/products/{id}")
	Mono<Product> product(@PathVariable long id) {
		return this.catalog.product(id);
	}

	@GetMapping("/api/backend-calls")
	Map<String, Long> backendCalls() {
		return Map.of("count", this.backend.calls());
	}

	@GetMapping("/api/cluster")
	Mono<List<NodeView>> cluster() {
		return nodes(this.clusterPanel);
	}

	/**
	 * The panel asks each node for its counters over a plain socket, which blocks: it
	 * runs on a thread that may, never on Netty's event loop.
	 */
	static Mono<List<NodeView>> nodes(ClusterPanel clusterPanel) {
		return Mono.fromCallable(clusterPanel::nodes).subscribeOn(Schedulers.boundedElastic());
	}

}
