package io.memquorum.metrics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.memquorum.node.NodeAddress;
import io.memquorum.refill.RefillStatus;
import io.memquorum.refill.RefillStatus.Phase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The refill gauges follow the node's refill status: phase, progress, rate and ETA.
 */
class MicrometerEngineMetricsRefillTests {

	private static final NodeAddress NODE = NodeAddress.parse("127.0.0.1:11212");

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final AtomicReference<RefillStatus> status = new AtomicReference<>(
			new RefillStatus(NODE, Phase.UNKNOWN, 0, 0, 0, null, null, List.of(), 0, 0, 0, null));

	@Test
	void aRunningRefillShowsItsPhaseProgressRateAndEta() {
		new MicrometerEngineMetrics(this.registry).registerRefill(NODE, this.status::get);
		this.status.set(new RefillStatus(NODE, Phase.REFILLING, 400, 500, 2_000, null, null, List.of(), 400 * 1024, 250,
				250 * 1024, Duration.ofSeconds(6)));
		assertThat(gauge("memquorum.refill.phase", "refilling")).isEqualTo(1.0);
		assertThat(gauge("memquorum.refill.phase", "complete")).isEqualTo(0.0);
		assertThat(this.registry.get("memquorum.refill.progress").gauge().value()).isEqualTo(0.25);
		assertThat(this.registry.get("memquorum.refill.rate").gauge().value()).isEqualTo(250 * 1024);
		assertThat(this.registry.get("memquorum.refill.entries.rate").gauge().value()).isEqualTo(250);
		assertThat(this.registry.get("memquorum.refill.eta").gauge().value()).isEqualTo(6.0);
		assertThat(this.registry.get("memquorum.refill.missing.peers").gauge().value()).isZero();
	}

	@Test
	void aNodeWhosePeerCouldNotBeListedCountsItAsMissing() {
		new MicrometerEngineMetrics(this.registry).registerRefill(NODE, this.status::get);
		this.status.set(new RefillStatus(NODE, Phase.INCOMPLETE, 400, 2_000, 2_000, null, "peer down",
				List.of(NodeAddress.parse("127.0.0.1:11213")), 400 * 1024, 0, 0, null));
		assertThat(gauge("memquorum.refill.phase", "incomplete")).isEqualTo(1.0);
		assertThat(this.registry.get("memquorum.refill.missing.peers").gauge().value()).isEqualTo(1.0);
	}

	@Test
	void aCompleteNodeHasNoRateAndNoEta() {
		new MicrometerEngineMetrics(this.registry).registerRefill(NODE, this.status::get);
		this.status.set(new RefillStatus(NODE, Phase.COMPLETE, 400, 2_000, 2_000, null, null, List.of(), 400 * 1024, 0,
				0, null));
		assertThat(gauge("memquorum.refill.phase", "complete")).isEqualTo(1.0);
		assertThat(gauge("memquorum.refill.phase", "refilling")).isEqualTo(0.0);
		assertThat(this.registry.get("memquorum.refill.rate").gauge().value()).isZero();
		assertThat(this.registry.get("memquorum.refill.eta").gauge().value()).isNaN();
	}

	private double gauge(String name, String phase) {
		return this.registry.get(name).tag("node", NODE.toString()).tag("phase", phase).gauge().value();
	}

}
