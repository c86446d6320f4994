package io.memquorum.benchmarks.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Renders the generated part of docs/benchmarks.md.
 */
final class Markdown {

	private Markdown() {
	}

	@SuppressWarnings("unchecked")
	static String render(Map<String, Object> summary, List<Map<String, Object>> rows, @Nullable JsonNode failover,
			@Nullable JsonNode wire, Path json) {
		StringBuilder md = new StringBuilder();
		Map<String, Object> machine = (Map<String, Object>) summary.get("machine");
		md.append("Run of ")
			.append(summary.get("generatedAt"))
			.append(" (")
			.append(summary.get("settings"))
			.append(").\n\n");
		md.append("Machine: ")
			.append(machine.get("cpus"))
			.append(" CPUs (")
			.append(machine.get("cpuModel"))
			.append("), ")
			.append(machine.get("memory"))
			.append(" memory, ")
			.append(machine.get("os"))
			.append("; ")
			.append(machine.get("jdk"))
			.append("; ")
			.append(machine.get("memcached"))
			.append("; ")
			.append(machine.get("redis"))
			.append("; ")
			.append(machine.get("nutcracker"))
			.append(". Load average before ")
			.append(machine.get("loadAverageBefore"))
			.append(", after ")
			.append(machine.get("loadAverageAfter"))
			.append(" (the machine is shared with other engineers' builds).\n\n");
		md.append("Every ratio is candidate / baseline, measured per round with the two sides run back to back ")
			.append("(order alternating between rounds); the table gives the median over the rounds and the range. ")
			.append("Absolute values are medians too, for orientation only. Raw figures: `")
			.append(json.getFileName())
			.append("`.\n\n");
		md.append(
				"| # | measurement | baseline | candidate | figure | baseline value | candidate value | ratio (range) | target | met |\n");
		md.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
		for (Map<String, Object> row : rows) {
			md.append("| ").append(row.get("number")).append(" | ").append(row.get("title")).append(" | ");
			md.append(row.get("baseline")).append(" | ").append(row.get("candidate")).append(" | ");
			if (row.containsKey("pending")) {
				md.append(row.get("figure")).append(" | – | – | ").append(row.get("pending")).append(" | ");
				md.append(orDash(row.get("target"))).append(" | – |\n");
				continue;
			}
			String unit = (String) row.get("unit");
			md.append(row.get("figure")).append(" | ");
			md.append(ComparisonReport.format((Double) row.get("baselineValue")))
				.append(' ')
				.append(unit)
				.append(" | ");
			md.append(ComparisonReport.format((Double) row.get("candidateValue")))
				.append(' ')
				.append(unit)
				.append(" | ");
			md.append(String.format(Locale.ROOT, "**%.2f×** (%.2f–%.2f, %d rounds)", (Double) row.get("ratio"),
					(Double) row.get("ratioMin"), (Double) row.get("ratioMax"), (Integer) row.get("rounds")));
			if (row.get("measuredAt") != null) {
				md.append(", measured by the run of ").append(row.get("measuredAt"));
			}
			md.append(" | ").append(orDash(row.get("target"))).append(" | ");
			Object met = row.get("met");
			md.append((met == null) ? "reported" : (Boolean.TRUE.equals(met) ? "yes" : "**no**")).append(" |\n");
		}
		md.append("\n![Every ratio against its target: bars are the median over rounds, whiskers the range, "
				+ "the thick mark the target; green met, red not met, grey reported only](")
			.append(Charts.RATIOS)
			.append(")\n");
		md.append("\nAllocation per operation (JMH gc profiler, `gc.alloc.rate.norm`, all threads of the JVM "
				+ "including the client's I/O threads, divided by operations):\n\n");
		md.append("| # | baseline | candidate | ratio |\n| --- | --- | --- | --- |\n");
		for (Map<String, Object> row : rows) {
			if (row.containsKey("baselineBytesPerOp")) {
				double baseline = (Double) row.get("baselineBytesPerOp");
				double candidate = (Double) row.get("candidateBytesPerOp");
				md.append(String.format(Locale.ROOT, "| %s | %s: %,.0f B/op | %s: %,.0f B/op | %.2f× |%n",
						row.get("number"), row.get("baseline"), baseline, row.get("candidate"), candidate,
						candidate / baseline));
			}
		}
		renderWire(md, wire);
		renderFailover(md, failover);
		return md.toString();
	}

	private static void renderWire(StringBuilder md, @Nullable JsonNode wire) {
		if (wire == null) {
			return;
		}
		md.append("\nCommands per operation on the wire, counted by the servers (memcached `cmd_get` counts keys, "
				+ "`cmd_set` every storage command including `cas` and `add`; all nodes together; one thread, "
				+ wire.get("operations").asInt() + " operations):\n\n");
		md.append("| operation | counted per operation |\n| --- | --- |\n");
		Map<String, String> names = new java.util.LinkedHashMap<>();
		names.put("engineGet", "engine get (1, 4 baseline)");
		names.put("engineSet", "engine set (2)");
		names.put("cacheableHit", "@Cacheable hit (4): the entry and the generation from one replica");
		names.put("sessionCycleMemquorum", "session cycle, memquorum (3)");
		names.put("sessionCycleRedis", "session cycle, Redis (3 baseline)");
		names.forEach((field, label) -> {
			JsonNode counts = wire.get(field);
			if (counts == null) {
				return;
			}
			StringBuilder text = new StringBuilder();
			for (Map.Entry<String, JsonNode> count : counts.properties()) {
				if (count.getValue().asDouble() != 0) {
					text.append((text.length() > 0) ? ", " : "")
						.append(count.getKey())
						.append(' ')
						.append(count.getValue().asDouble());
				}
			}
			md.append("| ").append(label).append(" | ").append(text).append(" |\n");
		});
	}

	private static void renderFailover(StringBuilder md, @Nullable JsonNode failover) {
		md.append("\n#### 6: failover timeline\n\n");
		if (failover == null) {
			md.append("No failover result: the harness did not run or failed; see the run log.\n");
			return;
		}
		md.append(String.format(Locale.ROOT,
				"%d load threads, %.0f %% sets and the rest gets, 1 KB values, three nodes, R = 3, the engine's default "
						+ "timeouts (operation 250 ms, 3 failures mark a node down).%n%n",
				failover.get("threads").asInt(), failover.get("writeShare").asDouble() * 100));
		md.append(
				"| fault | marked down after | latency normal again after | normal p50 / p99 | worst 100 ms p99 after | failed operations after |\n");
		md.append("| --- | --- | --- | --- | --- | --- |\n");
		for (JsonNode scenario : failover.get("scenarios")) {
			md.append("| ").append(scenario.get("description").asString()).append(" | ");
			md.append(millis(scenario.get("markedDownAfterMillis"))).append(" | ");
			md.append(millis(scenario.get("normalAgainAfterMillis"))).append(" | ");
			md.append(String.format(Locale.ROOT, "%.2f / %.2f ms | %.1f ms | %d |%n",
					scenario.get("normalP50Micros").asDouble() / 1000,
					scenario.get("normalP99Micros").asDouble() / 1000, scenario.get("worstP99Micros").asDouble() / 1000,
					scenario.get("errorsAfterFault").asInt()));
		}
		JsonNode threads = failover.get("replicaThreads");
		if (threads != null) {
			md.append(String.format(Locale.ROOT,
					"%nThreads (measurement 2, no thread per replica): %d before the engine, %d with the engine connected "
							+ "to three nodes, at most %d while %d quorum set calls were issued without waiting.%n",
					threads.get("beforeEngine").asInt(), threads.get("withEngine").asInt(),
					threads.get("peakWithWritesInFlight").asInt(), threads.get("writesInFlight").asInt()));
		}
		for (JsonNode scenario : failover.get("scenarios")) {
			md.append("\n![")
				.append(scenario.get("description").asString())
				.append(": p50 and p99 per window, the fault marked](")
				.append(Charts.failoverFile(scenario.get("fault").asString()))
				.append(")\n");
			md.append("\n<details><summary>")
				.append(scenario.get("fault").asString())
				.append(": p50 / p99 per 100 ms window, ms (windows start at the given offset from the fault)</summary>\n\n");
			md.append("| from | ops | errors | p50 | p99 | max |\n| --- | --- | --- | --- | --- | --- |\n");
			for (JsonNode window : scenario.get("windows")) {
				md.append(String.format(Locale.ROOT, "| %+d ms | %d | %d | %.2f | %.2f | %.1f |%n",
						window.get("startMillis").asLong(), window.get("operations").asInt(),
						window.get("errors").asInt(), window.get("p50Micros").asDouble() / 1000,
						window.get("p99Micros").asDouble() / 1000, window.get("maxMicros").asDouble() / 1000));
			}
			md.append("\n</details>\n");
		}
	}

	private static String millis(@Nullable JsonNode value) {
		return (value == null || value.isNull()) ? "not within 10 s" : value.asLong() + " ms";
	}

	private static String orDash(@Nullable Object value) {
		return (value != null) ? value.toString() : "–";
	}

}
