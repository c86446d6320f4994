package io.memquorum.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * Which {@link EntryMerge} applies to a key: the one registered for the longest prefix of
 * its memcached key, {@link EntryMerge#NEWEST_WINS} when none is. Registrations are rare
 * (at startup) and lookups happen on every repair, hint and MAJORITY read, so the common
 * case, no registration, costs one emptiness check.
 */
final class MergeRules {

	private final Map<String, EntryMerge> byPrefix = new ConcurrentHashMap<>();

	void register(String encodedPrefix, EntryMerge merge) {
		this.byPrefix.put(encodedPrefix, merge);
	}

	void unregister(String encodedPrefix) {
		this.byPrefix.remove(encodedPrefix);
	}

	EntryMerge forKey(String encoded) {
		EntryMerge registered = registeredFor(encoded);
		return (registered != null) ? registered : EntryMerge.NEWEST_WINS;
	}

	/**
	 * The merge registered for the longest prefix of a key.
	 * @param encoded the memcached key
	 * @return the merge, or {@code null} when the key has no merge of its own
	 */
	@Nullable EntryMerge registeredFor(String encoded) {
		if (this.byPrefix.isEmpty()) {
			return null;
		}
		EntryMerge chosen = null;
		int longest = -1;
		for (Map.Entry<String, EntryMerge> rule : this.byPrefix.entrySet()) {
			String prefix = rule.getKey();
			if (prefix.length() > longest && encoded.startsWith(prefix)) {
				chosen = rule.getValue();
				longest = prefix.length();
			}
		}
		return chosen;
	}

}
