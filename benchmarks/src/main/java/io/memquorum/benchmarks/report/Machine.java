package io.memquorum.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * Describes the machine a run happened on: CPUs, memory, JDK and the server versions.
 */
final class Machine {

	private Machine() {
	}

	static Map<String, Object> describe(@Nullable String loadBefore) {
		Map<String, Object> machine = new LinkedHashMap<>();
		machine.put("cpus", Runtime.getRuntime().availableProcessors());
		machine.put("cpuModel", firstValue(Path.of("/proc/cpuinfo"), "model name"));
		machine.put("memory", firstValue(Path.of("/proc/meminfo"), "MemTotal"));
		machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
		machine.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
		machine.put("memcached", version("memcached", "-V"));
		machine.put("redis", version("redis-server", "--version"));
		machine.put("nutcracker", version("nutcracker", "--version"));
		machine.put("loadAverageBefore", (loadBefore != null) ? loadBefore : "unknown");
		machine.put("loadAverageAfter", loadAverage());
		return machine;
	}

	private static String firstValue(Path file, String name) {
		try {
			for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
				if (line.startsWith(name)) {
					return line.substring(line.indexOf(':') + 1).trim();
				}
			}
		}
		catch (IOException ex) {
			// not Linux
		}
		return "unknown";
	}

	private static String loadAverage() {
		try {
			String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
			return parts[0] + " " + parts[1] + " " + parts[2];
		}
		catch (IOException ex) {
			return "unknown";
		}
	}

	private static String version(String executable, String flag) {
		for (String directory : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin")) {
			Path path = Path.of(directory, executable);
			if (Files.isExecutable(path)) {
				try {
					Process process = new ProcessBuilder(path.toString(), flag).redirectErrorStream(true).start();
					String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
					process.waitFor(5, TimeUnit.SECONDS);
					return output.lines().findFirst().orElse("").trim();
				}
				catch (IOException ex) {
					return "unknown";
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return "unknown";
				}
			}
		}
		return "not installed";
	}

}
