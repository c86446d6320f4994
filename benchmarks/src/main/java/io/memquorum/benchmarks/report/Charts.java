package io.memquorum.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Draws the pictures of docs/benchmarks.md as SVG files next to it: one bar chart of
 * every ratio against its target, and one failover timeline per fault (p50 and p99 per
 * window on a logarithmic scale, the fault marked). Plain SVG text, no library: the files
 * are small, diff well and render on GitHub.
 */
final class Charts {

	static final String RATIOS = "benchmarks-ratios.svg";

	private static final Pattern TARGET = Pattern.compile("([≥≤])\\s*([0-9.]+)");

	private static final String FONT = "font-family=\"sans-serif\" font-size=\"12\"";

	private Charts() {
	}

	static String failoverFile(String fault) {
		return "benchmarks-failover-" + fault.replaceAll("[^A-Za-z0-9-]", "-") + ".svg";
	}

	/**
	 * One horizontal bar per ratio, with its range over rounds as a whisker, a line at
	 * 1.0 and the target as a mark; green when met, red when not, grey when only
	 * reported.
	 */
	static void ratios(Path file, List<Map<String, Object>> rows) throws IOException {
		List<Map<String, Object>> measured = rows.stream().filter((row) -> row.get("ratio") != null).toList();
		int rowHeight = 26;
		int left = 300;
		int width = 980;
		int plot = width - left - 190;
		int top = 40;
		int height = top + rowHeight * measured.size() + 50;
		double max = 2.0;
		for (Map<String, Object> row : measured) {
			max = Math.max(max, Math.min(4.0, (Double) row.get("ratioMax")));
		}
		double scale = plot / Math.ceil(max);
		StringBuilder svg = open(width, height);
		svg.append(text(left, 22, "start", "bold",
				"Ratio candidate / baseline (median over rounds; whisker: range; " + "│ target)"));
		for (int tick = 0; tick <= Math.ceil(max); tick++) {
			double x = left + tick * scale;
			svg.append(line(x, top - 6, x, height - 40, (tick == 1) ? "#444" : "#ddd", (tick == 1) ? 1.5 : 1, null));
			svg.append(text(x, height - 24, "middle", null, tick + ".0×"));
		}
		int y = top;
		for (Map<String, Object> row : measured) {
			double ratio = (Double) row.get("ratio");
			Object met = row.get("met");
			String colour = (met == null) ? "#9e9e9e" : (Boolean.TRUE.equals(met) ? "#2e7d32" : "#c62828");
			String label = row.get("number") + ": " + shorten(String.valueOf(row.get("title")), 30) + " ("
					+ row.get("unit") + ")";
			svg.append(text(left - 8, y + 16, "end", null, label));
			double barWidth = Math.min(ratio, Math.ceil(max)) * scale;
			svg.append(String.format(Locale.ROOT,
					"<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" opacity=\"0.85\"/>%n", left,
					y + 4, barWidth, rowHeight - 10, colour));
			double low = left + Math.min((Double) row.get("ratioMin"), Math.ceil(max)) * scale;
			double high = left + Math.min((Double) row.get("ratioMax"), Math.ceil(max)) * scale;
			svg.append(line(low, y + rowHeight / 2.0 - 1, high, y + rowHeight / 2.0 - 1, "#000", 1.2, null));
			svg.append(line(low, y + 8, low, y + rowHeight - 10, "#000", 1.2, null));
			svg.append(line(high, y + 8, high, y + rowHeight - 10, "#000", 1.2, null));
			Double target = targetValue(row.get("target"));
			if (target != null) {
				double x = left + target * scale;
				svg.append(line(x, y + 1, x, y + rowHeight - 3, "#000", 3, null));
			}
			svg.append(text(Math.max(barWidth, high - left) + left + 6, y + 16, "start", null, String
				.format(Locale.ROOT, "%.2f× %s", ratio, (target != null) ? "(target " + row.get("target") + ")" : "")));
			y += rowHeight;
		}
		Files.writeString(file, svg.append("</svg>\n").toString(), StandardCharsets.UTF_8);
	}

	/**
	 * p50 and p99 per window around one fault, logarithmic latency axis, the fault and
	 * the moment the node was marked down marked, windows with errors flagged.
	 */
	static void failover(Path file, JsonNode scenario, long windowMillis) throws IOException {
		List<long[]> points = new ArrayList<>();
		double maxMicros = 1000;
		double minMicros = 1000;
		for (JsonNode window : scenario.get("windows")) {
			double p50 = window.get("p50Micros").asDouble();
			double p99 = window.get("p99Micros").asDouble();
			if (window.get("operations").asInt() > 0) {
				maxMicros = Math.max(maxMicros, p99);
				minMicros = Math.min(minMicros, Math.max(p50, 1));
			}
			points.add(new long[] { window.get("startMillis").asLong(), Math.round(p50), Math.round(p99),
					window.get("errors").asLong(), window.get("operations").asLong() });
		}
		if (points.isEmpty()) {
			return;
		}
		int width = 900;
		int height = 380;
		int left = 70;
		int right = 20;
		int top = 60;
		int bottom = 50;
		long first = points.get(0)[0];
		long last = points.get(points.size() - 1)[0] + windowMillis;
		double xScale = (width - left - right) / (double) (last - first);
		double logMin = Math.floor(Math.log10(minMicros / 1000.0));
		double logMax = Math.ceil(Math.log10(maxMicros / 1000.0));
		if (logMax <= logMin) {
			logMax = logMin + 1;
		}
		double plotHeight = height - top - bottom;
		double logLow = logMin;
		double logHigh = logMax;
		java.util.function.DoubleUnaryOperator yOf = (micros) -> top + plotHeight
				- (Math.log10(Math.max(micros, 1) / 1000.0) - logLow) / (logHigh - logLow) * plotHeight;
		java.util.function.LongToDoubleFunction xOf = (millis) -> left + (millis - first) * xScale;
		StringBuilder svg = open(width, height);
		svg.append(text(left, 22, "start", "bold",
				scenario.get("description").asString() + ": p50 and p99 latency per " + windowMillis + " ms window"));
		for (double exponent = logMin; exponent <= logMax; exponent++) {
			double y = yOf.applyAsDouble(Math.pow(10, exponent) * 1000);
			svg.append(line(left, y, width - right, y, "#ddd", 1, null));
			svg.append(text(left - 6, y + 4, "end", null, formatMillis(Math.pow(10, exponent)) + " ms"));
		}
		long step = ((last - first) > 6000) ? 2000 : 1000;
		for (long t = (first / step) * step; t <= last; t += step) {
			if (t < first) {
				continue;
			}
			double x = xOf.applyAsDouble(t);
			svg.append(line(x, top, x, height - bottom, "#eee", 1, null));
			svg.append(text(x, height - bottom + 16, "middle", null, String.format(Locale.ROOT, "%+d s", t / 1000)));
		}
		svg.append(text((left + width - right) / 2.0, height - 12, "middle", null, "time from the fault"));
		double faultX = xOf.applyAsDouble(0);
		svg.append(line(faultX, top - 4, faultX, height - bottom, "#c62828", 2, "6,4"));
		svg.append(text(faultX + 4, top + 10, "start", null, "fault: " + scenario.get("fault").asString()));
		JsonNode markedDown = scenario.get("markedDownAfterMillis");
		if (markedDown != null && !markedDown.isNull()) {
			double x = xOf.applyAsDouble(markedDown.asLong());
			svg.append(line(x, top + 14, x, height - bottom, "#6a1b9a", 1, "2,3"));
			svg.append(text(x + 4, top + 26, "start", null, "marked down +" + markedDown.asLong() + " ms"));
		}
		svg.append(polyline(points, 2, windowMillis, xOf, yOf, "#ef6c00"));
		svg.append(polyline(points, 1, windowMillis, xOf, yOf, "#1565c0"));
		for (long[] point : points) {
			if (point[3] > 0) {
				double x = xOf.applyAsDouble(point[0] + windowMillis / 2);
				svg.append(String.format(Locale.ROOT,
						"<circle cx=\"%.1f\" cy=\"%d\" r=\"3\" fill=\"#c62828\"><title>%d errors</title></circle>%n", x,
						height - bottom - 4, point[3]));
			}
		}
		int legendX = left;
		svg.append(line(legendX, top - 22, legendX + 20, top - 22, "#1565c0", 2, null));
		svg.append(text(legendX + 24, top - 18, "start", null, "p50"));
		svg.append(line(legendX + 60, top - 22, legendX + 80, top - 22, "#ef6c00", 2, null));
		svg.append(text(legendX + 84, top - 18, "start", null, "p99"));
		svg.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"#c62828\"/>%n", legendX + 125,
				top - 22));
		svg.append(text(legendX + 132, top - 18, "start", null, "window with errors"));
		Files.writeString(file, svg.append("</svg>\n").toString(), StandardCharsets.UTF_8);
	}

	private static String polyline(List<long[]> points, int index, long windowMillis,
			java.util.function.LongToDoubleFunction xOf, java.util.function.DoubleUnaryOperator yOf, String colour) {
		StringBuilder line = new StringBuilder(
				"<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"1.6\" points=\"");
		for (long[] point : points) {
			if (point[4] == 0) {
				continue;
			}
			line.append(String.format(Locale.ROOT, "%.1f,%.1f ", xOf.applyAsDouble(point[0] + windowMillis / 2),
					yOf.applyAsDouble(point[index])));
		}
		return line.append("\"/>\n").toString();
	}

	static @Nullable Double targetValue(@Nullable Object target) {
		if (target == null) {
			return null;
		}
		Matcher matcher = TARGET.matcher(target.toString());
		return matcher.find() ? Double.parseDouble(matcher.group(2)) : null;
	}

	private static StringBuilder open(int width, int height) {
		StringBuilder svg = new StringBuilder();
		svg.append(String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n", width,
				height, width, height));
		svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
		return svg;
	}

	private static String line(double x1, double y1, double x2, double y2, String colour, double width,
			@Nullable String dash) {
		return String.format(Locale.ROOT,
				"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>%n", x1,
				y1, x2, y2, colour, width, (dash != null) ? " stroke-dasharray=\"" + dash + "\"" : "");
	}

	private static String text(double x, double y, String anchor, @Nullable String weight, String content) {
		return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s%s>%s</text>%n", x, y,
				anchor, FONT, (weight != null) ? " font-weight=\"" + weight + "\"" : "", escape(content));
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	private static String shorten(String text, int length) {
		return (text.length() <= length) ? text : text.substring(0, length - 1) + "…";
	}

	private static String formatMillis(double millis) {
		if (millis >= 1) {
			return String.format(Locale.ROOT, "%.0f", millis);
		}
		return (millis >= 0.1) ? String.format(Locale.ROOT, "%.1f", millis)
				: String.format(Locale.ROOT, "%.2f", millis);
	}

}
