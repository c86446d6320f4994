package io.memquorum.node;

/**
 * How the bytes of an item split as they arrive from memcached: a head of fixed length, a
 * body, and a tail of fixed length, for items stored under one client flags value.
 * Reading straight into three arrays hands the caller its body without copying it out of
 * a whole-item array: on a 1 KB hit that copy was a third of everything allocated.
 *
 * @param flags the client flags of items that split; any other item arrives whole
 * @param headLength bytes in front of the body
 * @param tailLength bytes behind the body
 */
public record ItemLayout(int flags, int headLength, int tailLength) {

	public ItemLayout {
		if (headLength < 0 || tailLength < 0) {
			throw new IllegalArgumentException(
					"Head and tail lengths must not be negative, got " + headLength + " and " + tailLength);
		}
	}

	/**
	 * Whether an item of these flags and length splits: one shorter than head and tail
	 * arrives whole, for the caller to reject as it would any truncated item.
	 * @param itemFlags the item's client flags
	 * @param length the item's length in bytes
	 * @return whether it splits
	 */
	public boolean splits(int itemFlags, int length) {
		return itemFlags == this.flags && length >= this.headLength + this.tailLength;
	}

}
