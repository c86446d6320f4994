package io.memquorum.node;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One life of one memcached process, as its {@code stats} tell it: the process id and the
 * start time ({@code time - uptime}, whole seconds). A restart changes the start time,
 * and usually the process id; a peer started in the same second in another container may
 * share both, so whatever is bound to an incarnation is also bound to the node's address.
 *
 * @param pid the process id as memcached reports it
 * @param startedAtSeconds the process start, Unix seconds
 */
public record NodeIncarnation(long pid, long startedAtSeconds) {

	/**
	 * How far two readings of the same start time may differ: {@code time} and
	 * {@code uptime} are sampled a moment apart, so their difference wobbles by a second.
	 */
	public static final long START_TOLERANCE_SECONDS = 2;

	/**
	 * Read an incarnation from a node's {@code stats}.
	 * @param stats the node's answer, untrusted
	 * @return the incarnation, or {@code null} when {@code pid}, {@code time} or
	 * {@code uptime} is missing or not a number
	 */
	public static @Nullable NodeIncarnation of(Map<String, String> stats) {
		long pid = number(stats.get("pid"));
		long time = number(stats.get("time"));
		long uptime = number(stats.get("uptime"));
		if (pid < 0 || time < 0 || uptime < 0 || uptime > time) {
			return null;
		}
		return new NodeIncarnation(pid, time - uptime);
	}

	/**
	 * Whether both readings are of the same process life.
	 * @param other another reading
	 * @return whether the process ids match and the start times agree within
	 * {@link #START_TOLERANCE_SECONDS}
	 */
	public boolean isSameAs(NodeIncarnation other) {
		return this.pid == other.pid
				&& Math.abs(this.startedAtSeconds - other.startedAtSeconds) <= START_TOLERANCE_SECONDS;
	}

	private static long number(@Nullable String text) {
		if (text == null || text.isEmpty() || text.length() > 19) {
			return -1;
		}
		try {
			return Long.parseLong(text.trim());
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

}
