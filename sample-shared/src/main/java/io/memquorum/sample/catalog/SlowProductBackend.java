package io.memquorum.sample.catalog;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Stands in for a slow system of record, such as a remote inventory service: every call
 * takes {@code sample.backend.latency} (300 ms by default) and is counted, so that the
 * effect of the cache in front of it can be seen and measured. The servlet sample waits
 * on its thread ({@link #load}); the WebFlux sample waits on a timer, then asks
 * {@link #answer}, so that no event-loop thread sleeps.
 */
@Component
public class SlowProductBackend {

	/** How many products the catalog holds, numbered from 1. */
	public static final long CATALOG_SIZE = 1000;

	private static final List<String> NAMES = List.of("Espresso cup", "Linen apron", "Cast-iron pan", "Bread knife",
			"Tea kettle", "Oak cutting board", "Pepper mill", "Enamel mug");

	private final Duration latency;

	private final AtomicLong calls = new AtomicLong();

	public SlowProductBackend(@Value("${sample.backend.latency:300ms}") Duration latency) {
		if (latency.isNegative()) {
			throw new IllegalArgumentException("sample.backend.latency must not be negative, was " + latency);
		}
		this.latency = latency;
	}

	/**
	 * Loads a product the slow way, waiting on the calling thread.
	 * @param id the product number, from 1 to {@link #CATALOG_SIZE}
	 * @return the product
	 * @throws ProductNotFoundException when there is no such product
	 */
	public Product load(long id) {
		simulateLatency();
		return answer(id);
	}

	/**
	 * How long every call takes.
	 * @return the latency, never negative
	 */
	public Duration latency() {
		return this.latency;
	}

	/**
	 * The backend's answer once its {@link #latency()} has passed; counts as a call.
	 * @param id the product number, from 1 to {@link #CATALOG_SIZE}
	 * @return the product
	 * @throws ProductNotFoundException when there is no such product
	 */
	public Product answer(long id) {
		this.calls.incrementAndGet();
		if (id < 1 || id > CATALOG_SIZE) {
			throw new ProductNotFoundException(id, CATALOG_SIZE);
		}
		String name = NAMES.get((int) ((id - 1) % NAMES.size())) + " #" + id;
		long priceCents = 500 + (id * 137) % 5000;
		return new Product(id, name, priceCents, Instant.now());
	}

	/**
	 * How many times the backend really answered since the application started.
	 * @return the number of backend calls
	 */
	public long calls() {
		return this.calls.get();
	}

	private void simulateLatency() {
		try {
			Thread.sleep(this.latency.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
