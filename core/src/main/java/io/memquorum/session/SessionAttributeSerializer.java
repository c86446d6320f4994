package io.memquorum.session;

/**
 * Turns one session attribute value into bytes and back. Implementations must refuse to
 * build arbitrary classes from the bytes, since the bytes come from the network.
 *
 * @see JdkSessionAttributeSerializer
 */
public interface SessionAttributeSerializer {

	/**
	 * Serialize an attribute value.
	 * @param value the value, never {@code null}
	 * @return its bytes
	 * @throws SessionSerializationException when the value cannot be serialized
	 */
	byte[] serialize(Object value);

	/**
	 * Deserialize an attribute value.
	 * @param bytes what {@link #serialize(Object)} produced
	 * @return the value
	 * @throws SessionSerializationException when the bytes cannot be read, the class
	 * changed or is not allowed
	 */
	Object deserialize(byte[] bytes);

}
