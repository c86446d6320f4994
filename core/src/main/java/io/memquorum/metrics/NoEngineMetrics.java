package io.memquorum.metrics;

final class NoEngineMetrics implements EngineMetrics {

	static final NoEngineMetrics INSTANCE = new NoEngineMetrics();

	private NoEngineMetrics() {
	}

	@Override
	public String toString() {
		return "EngineMetrics.none()";
	}

}
