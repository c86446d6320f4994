package io.memquorum.node;

/**
 * A node declined to list its keys: its LRU crawler is disabled
 * ({@code -o no_lru_crawler}), busy with another crawl, refused the connection's login
 * (or required one none was configured for), or the node answered something other than a
 * key listing.
 */
public final class MetadumpUnavailableException extends Exception {

	private final NodeAddress node;

	private final boolean crawlerDisabled;

	private final boolean busy;

	private final boolean authenticationRefused;

	MetadumpUnavailableException(NodeAddress node, String reply, boolean crawlerDisabled, boolean busy) {
		this(node + " declined to list its keys (lru_crawler metadump): " + reply, node, crawlerDisabled, busy, false);
	}

	private MetadumpUnavailableException(String message, NodeAddress node, boolean crawlerDisabled, boolean busy,
			boolean authenticationRefused) {
		super(message);
		this.node = node;
		this.crawlerDisabled = crawlerDisabled;
		this.busy = busy;
		this.authenticationRefused = authenticationRefused;
	}

	/**
	 * The node would not let the listing connection in.
	 * @param node the node
	 * @param why what it said, naming the user and never the password
	 * @return the exception
	 */
	static MetadumpUnavailableException refused(NodeAddress node, String why) {
		return new MetadumpUnavailableException(node + " would not list its keys: it " + why, node, false, false, true);
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

	/**
	 * Whether the node refused the listing connection's credentials, or required
	 * credentials and none were configured; asking again without a change of
	 * configuration or auth file fails the same way.
	 * @return {@code true} when the login was refused
	 */
	public boolean isAuthenticationRefused() {
		return this.authenticationRefused;
	}

}
