package io.memquorum.benchmarks.curves;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A line chart as plain SVG text: one line per series over shared x values, a logarithmic
 * or linear axis each way, a legend. No library, so that the run needs nothing but the
 * JDK, and the files diff well.
 */
final class LineChart {

	private static final String[] COLOURS = { "#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a", "#c62828" };

	private static final String FONT = "font-family=\"sans-serif\" font-size=\"12\"";

	private final String title;

	private final String xLabel;

	private final String yLabel;

	private final boolean logX;

	private final boolean logY;

	private final Map<String, double[][]> series = new LinkedHashMap<>();

	LineChart(String title, String xLabel, String yLabel, boolean logX, boolean logY) {
		this.title = title;
		this.xLabel = xLabel;
		this.yLabel = yLabel;
		this.logX = logX;
		this.logY = logY;
	}

	/**
	 * Add a line.
	 * @param name its legend
	 * @param points {x, y} pairs in x order; pairs whose y is not a positive number are
	 * left out
	 * @return this chart
	 */
	LineChart line(String name, List<double[]> points) {
		this.series.put(name,
				points.stream()
					.filter((point) -> !Double.isNaN(point[1]) && (point[1] > 0 || !this.logY))
					.toArray(double[][]::new));
		return this;
	}

	void write(Path file) throws IOException {
		int width = 760;
		int height = 400;
		int left = 80;
		int right = 170;
		int top = 40;
		int bottom = 50;
		double minX = Double.MAX_VALUE;
		double maxX = -Double.MAX_VALUE;
		double minY = Double.MAX_VALUE;
		double maxY = -Double.MAX_VALUE;
		for (double[][] points : this.series.values()) {
			for (double[] point : points) {
				minX = Math.min(minX, point[0]);
				maxX = Math.max(maxX, point[0]);
				minY = Math.min(minY, point[1]);
				maxY = Math.max(maxY, point[1]);
			}
		}
		StringBuilder svg = new StringBuilder(
				String.format(Locale.ROOT,
						"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n"
								+ "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>%n",
						width, height, width, height));
		svg.append(text(left, 22, "start", "bold", this.title));
		if (minX > maxX) {
			svg.append(text(left, top + 20, "start", null, "no data: the run did not measure this curve"));
			Files.writeString(file, svg.append("</svg>\n").toString(), StandardCharsets.UTF_8);
			return;
		}
		Axis x = new Axis(minX, maxX, this.logX, false);
		Axis y = new Axis(this.logY ? minY : 0, maxY, this.logY, true);
		double plotWidth = width - left - right;
		double plotHeight = height - top - bottom;
		for (double tick : x.ticks()) {
			double px = left + x.position(tick) * plotWidth;
			svg.append(line(px, top, px, top + plotHeight, "#eee"));
			svg.append(text(px, height - bottom + 16, "middle", null, format(tick)));
		}
		for (double tick : y.ticks()) {
			double py = top + plotHeight - y.position(tick) * plotHeight;
			svg.append(line(left, py, left + plotWidth, py, "#eee"));
			svg.append(text(left - 6, py + 4, "end", null, format(tick)));
		}
		svg.append(line(left, top + plotHeight, left + plotWidth, top + plotHeight, "#444"));
		svg.append(line(left, top, left, top + plotHeight, "#444"));
		svg.append(text(left + plotWidth / 2, height - 12, "middle", null, this.xLabel));
		svg.append(String.format(Locale.ROOT,
				"<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\" %s>%s</text>%n",
				top + plotHeight / 2, top + plotHeight / 2, FONT, escape(this.yLabel)));
		int index = 0;
		for (Map.Entry<String, double[][]> entry : this.series.entrySet()) {
			String colour = COLOURS[index % COLOURS.length];
			StringBuilder points = new StringBuilder();
			for (double[] point : entry.getValue()) {
				double px = left + x.position(point[0]) * plotWidth;
				double py = top + plotHeight - y.position(point[1]) * plotHeight;
				points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
				svg.append(String.format(Locale.ROOT,
						"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s: %s</title></circle>%n", px, py,
						colour, escape(entry.getKey()), format(point[1])));
			}
			svg.append(String.format(Locale.ROOT,
					"<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"%s\"/>%n", colour, points));
			double legendY = top + 10 + index * 18;
			svg.append(line(width - right + 12, legendY, width - right + 32, legendY, colour));
			svg.append(text(width - right + 36, legendY + 4, "start", null, entry.getKey()));
			index++;
		}
		Files.writeString(file, svg.append("</svg>\n").toString(), StandardCharsets.UTF_8);
	}

	private static String line(double x1, double y1, double x2, double y2, String colour) {
		return String.format(Locale.ROOT,
				"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>%n", x1, y1,
				x2, y2, colour);
	}

	private static String text(double x, double y, String anchor, String weight, String content) {
		return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s%s>%s</text>%n", x, y,
				anchor, FONT, (weight != null) ? " font-weight=\"" + weight + "\"" : "", escape(content));
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	static String format(double value) {
		if (value >= 1_000_000) {
			return String.format(Locale.ROOT, "%.3gM", value / 1_000_000);
		}
		if (value >= 10_000) {
			return String.format(Locale.ROOT, "%.0fk", value / 1000);
		}
		if (value >= 1000) {
			return String.format(Locale.ROOT, "%.1fk", value / 1000);
		}
		return (value >= 10 || value == 0) ? String.format(Locale.ROOT, "%.0f", value)
				: String.format(Locale.ROOT, "%.2g", value);
	}

	/** One axis: maps a value to 0..1 and picks its ticks. */
	private record Axis(double min, double max, boolean log, boolean padTop) {

		double low() {
			return this.log ? Math.floor(Math.log10(this.min)) : this.min;
		}

		double high() {
			if (this.log) {
				double high = Math.ceil(Math.log10(this.max));
				return (high <= low()) ? low() + 1 : high;
			}
			double high = this.padTop ? this.max * 1.1 : this.max;
			return (high <= this.min) ? this.min + 1 : high;
		}

		double position(double value) {
			double v = this.log ? Math.log10(value) : value;
			return (v - low()) / (high() - low());
		}

		List<Double> ticks() {
			if (this.log) {
				java.util.ArrayList<Double> ticks = new java.util.ArrayList<>();
				for (double exponent = low(); exponent <= high(); exponent++) {
					ticks.add(Math.pow(10, exponent));
				}
				return ticks;
			}
			double span = high() - low();
			double step = Math.pow(10, Math.floor(Math.log10(span / 4)));
			if (span / step > 10) {
				step *= (span / step > 20) ? 5 : 2;
			}
			java.util.ArrayList<Double> ticks = new java.util.ArrayList<>();
			for (double tick = Math.ceil(low() / step) * step; tick <= high() + 1e-9; tick += step) {
				ticks.add(tick);
			}
			return ticks;
		}

	}

}
