package io.memquorum.sample.cluster;

import java.util.Locale;

import io.memquorum.refill.RefillStatus;
import org.jspecify.annotations.Nullable;

/**
 * A node's refill as the cluster panel draws it: a progress bar and one line of text.
 *
 * @param phase the refill phase, lower case ({@code complete}, {@code refilling},
 * {@code waiting}, {@code incomplete}, {@code unknown}, {@code disabled})
 * @param percent how much of the current or last run is done, 0 to 100
 * @param summary what the bar means, for example
 * {@code 45% · 45,000/100,000 · 12.3 MB/s · ETA 8 s}
 */
public record RefillView(String phase, int percent, String summary) {

	static RefillView of(@Nullable RefillStatus status) {
		if (status == null) {
			return new RefillView("unknown", 0, "unknown");
		}
		String phase = status.phase().name().toLowerCase(Locale.ROOT);
		int percent = (status.total() > 0) ? (int) Math.min(100, 100 * status.examined() / status.total())
				: (status.phase() == RefillStatus.Phase.COMPLETE) ? 100 : 0;
		String summary = switch (status.phase()) {
			case REFILLING, VERIFYING -> String.format(Locale.ROOT, "%d%% · %,d/%,d · %.1f MB/s · ETA %s", percent,
					status.examined(), status.total(), status.bytesPerSecond() / (1024 * 1024), eta(status));
			case COMPLETE -> "complete";
			case WAITING -> "another instance refills it";
			case INCOMPLETE -> status.missingPeers().isEmpty()
					? "incomplete, retrying" + ((status.problem() != null) ? ": " + status.problem() : "")
					: "incomplete until " + status.missingPeers() + " can be listed";
			case DISABLED -> "refill off";
			case UNKNOWN -> "not checked yet";
		};
		return new RefillView(phase, percent, summary);
	}

	private static String eta(RefillStatus status) {
		return (status.eta() != null) ? status.eta().toSeconds() + " s" : "?";
	}

}
