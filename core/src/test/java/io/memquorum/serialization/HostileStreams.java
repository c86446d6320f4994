package io.memquorum.serialization;

import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.rmi.Remote;
import java.rmi.server.Operation;
import java.rmi.server.RemoteCall;
import java.rmi.server.RemoteObject;
import java.rmi.server.RemoteObjectInvocationHandler;
import java.rmi.server.RemoteRef;
import java.util.HashSet;
import java.util.Set;

/**
 * JDK serialization streams crafted to hurt whoever reads them, as someone who can write
 * to memcached could store them.
 */
public final class HostileStreams {

	private HostileStreams() {
	}

	/**
	 * A {@code long[0x7fffffff]} in 40-odd bytes: a reader without an array limit
	 * allocates 16 GB before reading one element.
	 * @return the stream
	 */
	public static byte[] hugeLongArray() {
		byte[] bytes = write(new long[0]);
		// The array's length is the last field of the stream.
		int at = bytes.length - 4;
		bytes[at] = 0x7f;
		bytes[at + 1] = (byte) 0xff;
		bytes[at + 2] = (byte) 0xff;
		bytes[at + 3] = (byte) 0xff;
		return bytes;
	}

	/**
	 * Nested hash sets that each hold the next two levels ("SerialDOS"): reading them
	 * computes hash codes whose cost doubles with every level, so 100 levels never end.
	 * @return the stream
	 */
	public static byte[] nestedHashSets() {
		Set<Object> root = new HashSet<>();
		Set<Object> left = root;
		Set<Object> right = new HashSet<>();
		for (int i = 0; i < 100; i++) {
			Set<Object> nextLeft = new HashSet<>();
			Set<Object> nextRight = new HashSet<>();
			nextLeft.add("level");
			left.add(nextLeft);
			left.add(nextRight);
			right.add(nextLeft);
			right.add(nextRight);
			left = nextLeft;
			right = nextRight;
		}
		return write(root);
	}

	/**
	 * A proxy whose invocation handler is a {@link RemoteObjectInvocationHandler}: a
	 * reader that accepts it hands the application a stub that calls out to whatever
	 * endpoint the writer chose.
	 * @return the stream
	 */
	public static byte[] remoteObjectInvocationHandler() {
		Object proxy = Proxy.newProxyInstance(HostileStreams.class.getClassLoader(), new Class<?>[] { Runnable.class },
				new RemoteObjectInvocationHandler(new UnusedRemoteRef()));
		return write(proxy);
	}

	private static byte[] write(Object value) {
		try {
			return PackageAllowList.write(value);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Stands in for the JDK's {@code UnicastRef} (whose package is not exported): a
	 * remote reference is what {@link RemoteObject} carries, and it is never used here.
	 */
	@SuppressWarnings("deprecation")
	public static final class UnusedRemoteRef implements RemoteRef {

		private static final long serialVersionUID = 1L;

		@Override
		public Object invoke(Remote obj, Method method, Object[] params, long opnum) {
			throw new UnsupportedOperationException();
		}

		@Override
		public RemoteCall newCall(RemoteObject obj, Operation[] op, int opnum, long hash) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void invoke(RemoteCall call) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void done(RemoteCall call) {
		}

		@Override
		public String getRefClass(ObjectOutput out) {
			return null;
		}

		@Override
		public int remoteHashCode() {
			return 0;
		}

		@Override
		public boolean remoteEquals(RemoteRef obj) {
			return obj == this;
		}

		@Override
		public String remoteToString() {
			return "UnusedRemoteRef";
		}

		@Override
		public void writeExternal(ObjectOutput out) {
		}

		@Override
		public void readExternal(ObjectInput in) {
		}

	}

}
