package io.memquorum.engine;

import java.util.Map;
import java.util.stream.Collectors;

import io.memquorum.node.NodeAddress;

/**
 * Too few replicas answered an operation: a write lacked its write quorum, or a read
 * found no replica (or, for a MAJORITY read, too few) able to answer. The message says
 * how many answers were needed, how many came, and what each failing node did, for
 * example
 * {@code set of 'user:42': 2 of 3 replicas needed, 1 acknowledged: 127.0.0.1:11212 timed out after
 * 200 ms; 127.0.0.1:11213 is marked down}.
 */
public class QuorumNotReachedException extends MemquorumException {

	private final String operation;

	private final int required;

	private final int acknowledged;

	private final Map<NodeAddress, String> failures;

	public QuorumNotReachedException(String operation, String key, int required, int replicas, int acknowledged,
			Map<NodeAddress, String> failures) {
		super(operation + " of '" + key + "': " + required + " of " + replicas + " replicas needed, " + acknowledged
				+ " acknowledged" + describe(failures));
		this.operation = operation;
		this.required = required;
		this.acknowledged = acknowledged;
		this.failures = Map.copyOf(failures);
	}

	private static String describe(Map<NodeAddress, String> failures) {
		if (failures.isEmpty()) {
			return "";
		}
		return ": " + failures.entrySet()
			.stream()
			.sorted(Map.Entry.comparingByKey())
			.map((entry) -> entry.getValue().startsWith(entry.getKey().toString()) ? entry.getValue()
					: entry.getKey() + " " + entry.getValue())
			.collect(Collectors.joining("; "));
	}

	public String getOperation() {
		return this.operation;
	}

	public int getRequired() {
		return this.required;
	}

	public int getAcknowledged() {
		return this.acknowledged;
	}

	/**
	 * What each failing node did.
	 * @return failure descriptions by node
	 */
	public Map<NodeAddress, String> getFailures() {
		return this.failures;
	}

}
