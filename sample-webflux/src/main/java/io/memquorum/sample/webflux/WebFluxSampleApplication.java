package io.memquorum.sample.webflux;

import io.memquorum.sample.catalog.SlowProductBackend;
import io.memquorum.sample.cluster.ClusterPanel;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Import;

/**
 * The servlet sample's web shop on Spring WebFlux and Netty: the same pages and HTTP
 * contract, with its WebSessions and product cache in replicated memcached through the
 * memquorum starter's reactive session store and reactive caching. Run it against three
 * local nodes with {@code ./demo webflux} from the repository root.
 */
@SpringBootApplication
@EnableCaching
@Import({ SlowProductBackend.class, ClusterPanel.class })
public class WebFluxSampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(WebFluxSampleApplication.class, args);
	}

}
