package io.memquorum.node;

import org.jspecify.annotations.Nullable;

/**
 * One item as memcached returned it: whole, or split into head, body and tail by an
 * {@link ItemLayout} as it arrived.
 */
public final class StoredItem {

	private static final byte[] EMPTY = new byte[0];

	private final int flags;

	private final long cas;

	/** The head of a split item; null when the item is whole. */
	private final byte @Nullable [] head;

	/** The body of a split item, or the whole item. */
	private final byte[] body;

	private final byte[] tail;

	/**
	 * A whole item.
	 * @param flags the client flags stored with the item
	 * @param data the raw value bytes
	 * @param cas the compare-and-swap token
	 */
	public StoredItem(int flags, byte[] data, long cas) {
		this(flags, null, data, EMPTY, cas);
	}

	private StoredItem(int flags, byte @Nullable [] head, byte[] body, byte[] tail, long cas) {
		this.flags = flags;
		this.head = head;
		this.body = body;
		this.tail = tail;
		this.cas = cas;
	}

	/**
	 * An item read in three parts; its bytes are {@code head}, {@code body} and
	 * {@code tail} in that order.
	 * @param flags the client flags stored with the item
	 * @param head the bytes in front of the body
	 * @param body the body
	 * @param tail the bytes behind the body
	 * @param cas the compare-and-swap token
	 * @return the item
	 */
	public static StoredItem split(int flags, byte[] head, byte[] body, byte[] tail, long cas) {
		return new StoredItem(flags, head, body, tail, cas);
	}

	/**
	 * A copy whose arrays are its own, for a second reader of the same reply: callers
	 * receive the body as their value and may change it.
	 * @return the copy
	 */
	StoredItem copy() {
		return (this.head != null)
				? split(this.flags, this.head.clone(), this.body.clone(), this.tail.clone(), this.cas)
				: new StoredItem(this.flags, this.body.clone(), this.cas);
	}

	public int flags() {
		return this.flags;
	}

	public long cas() {
		return this.cas;
	}

	/**
	 * Whether the item arrived in three parts.
	 * @return true for {@link #split} items
	 */
	public boolean isSplit() {
		return this.head != null;
	}

	/**
	 * The head of a split item.
	 * @return the head; empty for a whole item
	 */
	public byte[] head() {
		return (this.head != null) ? this.head : EMPTY;
	}

	/**
	 * The body of a split item, or all the bytes of a whole one: never copied.
	 * @return the body
	 */
	public byte[] body() {
		return this.body;
	}

	/**
	 * The tail of a split item.
	 * @return the tail; empty for a whole item
	 */
	public byte[] tail() {
		return this.tail;
	}

	/**
	 * The item's length in bytes.
	 * @return head, body and tail together
	 */
	public int length() {
		return head().length + this.body.length + this.tail.length;
	}

	/**
	 * All the item's bytes in one array: the body itself for a whole item, a copy joining
	 * the parts of a split one.
	 * @return the bytes
	 */
	public byte[] data() {
		if (this.head == null) {
			return this.body;
		}
		byte[] data = new byte[length()];
		System.arraycopy(this.head, 0, data, 0, this.head.length);
		System.arraycopy(this.body, 0, data, this.head.length, this.body.length);
		System.arraycopy(this.tail, 0, data, this.head.length + this.body.length, this.tail.length);
		return data;
	}

	@Override
	public String toString() {
		return "StoredItem[flags=" + this.flags + ", " + length() + " bytes" + (isSplit() ? ", split" : "") + "]";
	}

}
