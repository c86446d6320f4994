package io.memquorum.node;

import io.memquorum.node.NodeConnection.StoredValue;
import net.rubyeye.xmemcached.transcoders.CachedData;
import net.rubyeye.xmemcached.transcoders.Transcoder;

/**
 * Hands xmemcached the bytes and flags to store as they are, and hands back what it read
 * untouched: encoding, compression and signing are memquorum's, never the client's.
 */
final class RawTranscoder implements Transcoder<Object> {

	@Override
	public CachedData encode(Object value) {
		StoredValue stored = (StoredValue) value;
		return new CachedData(stored.flags(), stored.data());
	}

	@Override
	public Object decode(CachedData data) {
		return data;
	}

	@Override
	public void setPrimitiveAsString(boolean primitiveAsString) {
	}

	@Override
	public void setPackZeros(boolean packZeros) {
	}

	@Override
	public void setCompressionThreshold(int threshold) {
	}

	@Override
	public boolean isPrimitiveAsString() {
		return false;
	}

	@Override
	public boolean isPackZeros() {
		return false;
	}

	@Override
	public void setCompressionMode(net.rubyeye.xmemcached.transcoders.CompressionMode compressionMode) {
	}

}
