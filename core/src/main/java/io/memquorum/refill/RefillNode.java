package io.memquorum.refill;

import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeConnection;

/**
 * A memcached node as refill sees it: its address, whether the engine has it down, its
 * current connection, and the one bit refill decides, whether it may lack entries. The
 * engine implements it over its own node; refill never sees the engine's failure
 * detector, hints or read paths.
 */
public interface RefillNode {

	/**
	 * @return the node's address
	 */
	NodeAddress address();

	/**
	 * @return whether the engine marked the node down; refill neither copies from nor
	 * writes to a node that is down
	 */
	boolean isDown();

	/**
	 * @return the node's connection; asked each time, since a reconnect replaces it
	 */
	NodeConnection connection();

	/**
	 * Tell the engine whether the node may lack entries its peers hold: while it may, a
	 * miss on it does not count toward a majority.
	 * @param incomplete whether the node may be incomplete
	 */
	void mayLackEntries(boolean incomplete);

}
