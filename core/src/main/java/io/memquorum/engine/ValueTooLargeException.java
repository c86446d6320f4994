package io.memquorum.engine;

/**
 * A value does not fit memcached's item size limit. Raised before anything is written, so
 * no replica holds a partial or stale copy because of it.
 */
public class ValueTooLargeException extends MemquorumException {

	private final int size;

	private final int limit;

	public ValueTooLargeException(String key, int size, int limit) {
		super("Value for key '" + key + "' takes " + size + " bytes stored, over the item size limit of " + limit
				+ " bytes (memquorum.max-item-size, which must match memcached's -I option)");
		this.size = size;
		this.limit = limit;
	}

	/**
	 * The item's size as memcached would store it: key, envelope and value.
	 * @return the size in bytes
	 */
	public int getSize() {
		return this.size;
	}

	public int getLimit() {
		return this.limit;
	}

}
