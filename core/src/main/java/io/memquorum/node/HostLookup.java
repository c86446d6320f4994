package io.memquorum.node;

import java.net.InetAddress;

import org.jspecify.annotations.Nullable;

/**
 * Where a node named by a host name is reached now. Discovery keeps a node's name as its
 * identity (a StatefulSet pod's SRV target) while the address behind the name changes
 * across restarts; every new connection to the node asks this first.
 */
@FunctionalInterface
public interface HostLookup {

	/**
	 * The address to connect to for a host name.
	 * @param host the node's host name, as in its {@link NodeAddress}
	 * @return the address, or {@code null} to let the JVM resolve the name
	 */
	@Nullable InetAddress addressOf(String host);

}
