package io.memquorum.sample.cluster;

/**
 * A memcached node's own read counters, from its {@code stats} command. They start at
 * zero whenever the node's process starts.
 *
 * @param hits reads that found the key ({@code get_hits})
 * @param misses reads that did not ({@code get_misses})
 */
public record NodeCounters(long hits, long misses) {

}
