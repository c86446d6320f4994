package io.memquorum.refill;

import java.time.Duration;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * The progress line a running refill logs every ten seconds, for example: <pre>
 * Refill of 127.0.0.1:11212 [#########-----------] 45% 45,000/100,000 entries, 43.9 MB/s, 45,000 entries/s, ETA 1 s; pace adaptive 60,000 entries/s (foreground p99 0.62 ms, 0.48 ms before)
 * </pre>
 */
final class ProgressLine {

	static final int WIDTH = 20;

	private ProgressLine() {
	}

	static String of(RefillStatus status, String pace) {
		long total = status.total();
		double done = (total > 0) ? Math.min(1.0, (double) status.examined() / total) : 0;
		int filled = (int) Math.floor(done * WIDTH);
		StringBuilder line = new StringBuilder("Refill of ").append(status.address()).append(" [");
		line.append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("] ");
		line.append(String.format(Locale.ROOT, "%d%% %,d/%,d entries, %.1f MB/s, %,.0f entries/s, ETA %s",
				(int) Math.floor(done * 100), status.examined(), total, status.bytesPerSecond() / (1024 * 1024),
				status.entriesPerSecond(), eta(status.eta())));
		if (!pace.isEmpty()) {
			line.append("; pace ").append(pace);
		}
		return line.toString();
	}

	static String eta(@Nullable Duration eta) {
		if (eta == null) {
			return "unknown";
		}
		long seconds = eta.toSeconds();
		if (seconds < 60) {
			return seconds + " s";
		}
		if (seconds < 3600) {
			return String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
		}
		return String.format(Locale.ROOT, "%d h %02d min", seconds / 3600, (seconds % 3600) / 60);
	}

}
