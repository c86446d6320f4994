package io.memquorum.benchmarks.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code --name=value} arguments every benchmark and report main method takes.
 */
public final class CommandLine {

	private CommandLine() {
	}

	/**
	 * @param args the main method's arguments
	 * @return each name with its value, in the order given; a later value wins
	 * @throws IllegalArgumentException naming the first argument not of the form
	 * {@code --name=value}
	 */
	public static Map<String, String> options(String[] args) {
		Map<String, String> options = new LinkedHashMap<>();
		for (String arg : args) {
			int equals = arg.indexOf('=');
			if (!arg.startsWith("--") || equals < 0) {
				throw new IllegalArgumentException("Expected --name=value, got '" + arg + "'");
			}
			options.put(arg.substring(2, equals), arg.substring(equals + 1));
		}
		return options;
	}

}
