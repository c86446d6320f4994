package io.memquorum.node;

/**
 * A node declined to list its keys: its LRU crawler is disabled
 * ({@code -o no_lru_crawler}), busy with another crawl, or the node answered something
 * other than a key listing.
 */
public final class MetadumpUnavailableException extends Exception {

	private final NodeAddress node;

	private final boolean crawlerDisabled;

	private final boolean busy;

	MetadumpUnavailableException(NodeAddress node, String reply, boolean crawlerDisabled, boolean busy) {
		super(node + " declined to list its keys (lru_crawler metadump): " + reply);
		this.node = node;
		this.crawlerDisabled = crawlerDisabled;
		this.busy = busy;
	}

	public NodeAddress getNode() {
		return this.node;
	}

	/**
	 * Whether the node runs without its LRU crawler, so it can never list keys until it
	 * is restarted without {@code -o no_lru_crawler}.
	 * @return {@code true} when the crawler is disabled
	 */
	public boolean isCrawlerDisabled() {
		return this.crawlerDisabled;
	}

	/**
	 * Whether another crawl is running on the node; asking again later may succeed.
	 * @return {@code true} when the crawler is busy
	 */
	public boolean isBusy() {
		return this.busy;
	}

}
