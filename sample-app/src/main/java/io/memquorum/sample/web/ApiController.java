package io.memquorum.sample.web;

import java.security.Principal;
import java.util.List;
import java.util.Map;

import io.memquorum.sample.catalog.Product;
import io.memquorum.sample.ProductCatalog;
import io.memquorum.sample.catalog.SlowProductBackend;
import io.memquorum.sample.cluster.ClusterPanel;
import io.memquorum.sample.cluster.NodeView;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The JSON API that the README tour and the tests use: who is logged in, products, how
 * often the slow backend ran, and the cluster panel.
 */
@RestController
class ApiController {

	private final ProductCatalog catalog;

	private final SlowProductBackend backend;

	private final ClusterPanel clusterPanel;

	ApiController(ProductCatalog catalog, SlowProductBackend backend, ClusterPanel clusterPanel) {
		this.catalog = catalog;
		this.backend = backend;
		this.clusterPanel = clusterPanel;
	}

	@GetMapping("/api/me")
	Map<String, String> me(Principal principal) {
		return Map.of("username", principal.getName());
	}

	@GetMapping("/api/products/{id}")
	Product product(@PathVariable long id) {
		return this.catalog.product(id);
	}

	@GetMapping("/api/backend-calls")
	Map<String, Long> backendCalls() {
		return Map.of("count", this.backend.calls());
	}

	@GetMapping("/api/cluster")
	List<NodeView> cluster() {
		return this.clusterPanel.nodes();
	}

}
