package io.memquorum.discovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The search list and {@code ndots} of {@code /etc/resolv.conf}, so that a short name
 * such as {@code memcached} in a Kubernetes pod is tried as
 * {@code memcached.<namespace>.svc.cluster.local} first, as the C library does.
 *
 * @param domains the search domains, in order
 * @param ndots names with fewer dots are tried with the search domains first
 */
record SearchDomains(List<String> domains, int ndots) {

	static final SearchDomains NONE = new SearchDomains(List.of(), 1);

	/**
	 * Read a resolv.conf file; a file that is missing or unreadable gives no domains.
	 * @param path the file
	 * @return its search list
	 */
	static SearchDomains read(Path path) {
		List<String> lines;
		try {
			lines = Files.readAllLines(path, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			return NONE;
		}
		List<String> domains = new ArrayList<>();
		int ndots = 1;
		for (String line : lines) {
			String[] fields = line.trim().split("\\s+");
			if (fields[0].equals("search") || fields[0].equals("domain")) {
				// The last search or domain line wins.
				domains = new ArrayList<>(Arrays.asList(fields).subList(1, fields.length));
			}
			else if (fields[0].equals("options")) {
				for (String option : fields) {
					if (option.startsWith("ndots:")) {
						try {
							ndots = Math.min(15, Integer.parseInt(option.substring(6)));
						}
						catch (NumberFormatException ex) {
							// The C library ignores a malformed option too.
						}
					}
				}
			}
		}
		return new SearchDomains(List.copyOf(domains), ndots);
	}

	/**
	 * The absolute names to try for a name, in order.
	 * @param name the name as configured; a final dot makes it absolute
	 * @return the candidates, without final dots
	 */
	List<String> candidates(String name) {
		if (name.endsWith(".")) {
			return List.of(name.substring(0, name.length() - 1));
		}
		List<String> searched = new ArrayList<>();
		for (String domain : this.domains) {
			searched.add(name + "." + (domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain));
		}
		List<String> candidates = new ArrayList<>();
		if (name.chars().filter((c) -> c == '.').count() >= this.ndots) {
			candidates.add(name);
			candidates.addAll(searched);
		}
		else {
			candidates.addAll(searched);
			candidates.add(name);
		}
		return candidates;
	}

}
