package io.memquorum.benchmarks.servers;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spring.session.HazelcastIndexedSessionRepository;
import com.hazelcast.spring.session.HazelcastSessionConfiguration;

/**
 * Three Hazelcast 5 members in this JVM, joined over loopback TCP, holding Spring
 * Session's map with one synchronous backup ({@code backup-count} 1, no asynchronous
 * backup): a write returns once the partition's owner and its backup member have it, so
 * the loss of one member loses no acknowledged session. The benchmark talks to the first
 * member as an application that embeds one would; two thirds of the partitions are owned
 * by the other two, so most operations cross loopback TCP as they would cross the
 * network.
 */
public final class HazelcastCluster implements AutoCloseable {

	/** The map Spring Session's Hazelcast repository uses by default. */
	public static final String SESSION_MAP = HazelcastIndexedSessionRepository.DEFAULT_SESSION_MAP_NAME;

	private final List<HazelcastInstance> members;

	private HazelcastCluster(List<HazelcastInstance> members) {
		this.members = members;
	}

	/**
	 * Start three members and wait until they see each other.
	 * @return the running cluster
	 */
	public static HazelcastCluster start() {
		String clusterName = "memquorum-bench-" + UUID.randomUUID();
		List<Integer> ports = List.of(LocalServer.freePort(), LocalServer.freePort(), LocalServer.freePort());
		List<HazelcastInstance> members = new ArrayList<>();
		try {
			for (int port : ports) {
				members.add(Hazelcast.newHazelcastInstance(config(clusterName, port, ports)));
			}
			HazelcastCluster cluster = new HazelcastCluster(members);
			cluster.awaitMembers(ports.size());
			return cluster;
		}
		catch (RuntimeException ex) {
			members.forEach(HazelcastInstance::shutdown);
			throw ex;
		}
	}

	private static Config config(String clusterName, int port, List<Integer> ports) {
		Config config = new Config();
		config.setClusterName(clusterName);
		config.setProperty("hazelcast.phone.home.enabled", "false");
		config.setProperty("hazelcast.logging.type", "slf4j");
		config.setProperty("hazelcast.shutdownhook.enabled", "false");
		config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
		config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
		JoinConfig join = config.getNetworkConfig().getJoin();
		join.getMulticastConfig().setEnabled(false);
		join.getAutoDetectionConfig().setEnabled(false);
		join.getTcpIpConfig().setEnabled(true);
		for (int member : ports) {
			join.getTcpIpConfig().addMember("127.0.0.1:" + member);
		}
		config.addMapConfig(new MapConfig(SESSION_MAP).setBackupCount(1).setAsyncBackupCount(0));
		return HazelcastSessionConfiguration.applySerializationConfig(config);
	}

	private void awaitMembers(int expected) {
		long deadline = System.nanoTime() + 60_000_000_000L;
		while (this.members.get(0).getCluster().getMembers().size() < expected) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(
						"Hazelcast members did not join within 60 s: " + this.members.get(0).getCluster().getMembers());
			}
			LockSupport.parkNanos(50_000_000L);
		}
	}

	/**
	 * The member the application embeds.
	 * @return the first member
	 */
	public HazelcastInstance member() {
		return this.members.get(0);
	}

	/**
	 * The session map's backup count as the member that serves the benchmark sees it.
	 * @return synchronous backups per entry
	 */
	public int sessionBackupCount() {
		return member().getConfig().getMapConfig(SESSION_MAP).getBackupCount();
	}

	@Override
	public void close() {
		this.members.forEach(HazelcastInstance::shutdown);
	}

}
