package io.memquorum.session;

import io.memquorum.engine.MemquorumException;

/**
 * A session does not fit memcached's item size limit. Raised by {@code save} before
 * anything is written.
 */
public class SessionTooLargeException extends MemquorumException {

	private final int size;

	private final int limit;

	public SessionTooLargeException(int size, int limit, int attributeCount) {
		super("Session with " + attributeCount + " attributes takes " + size
				+ " bytes stored, over the item size limit of " + limit
				+ " bytes (memquorum.max-item-size, which must match memcached's -I option); store less in the session");
		this.size = size;
		this.limit = limit;
	}

	/**
	 * The session's size as memcached would store it: key, envelope and payload.
	 * @return the size in bytes
	 */
	public int getSize() {
		return this.size;
	}

	public int getLimit() {
		return this.limit;
	}

}
