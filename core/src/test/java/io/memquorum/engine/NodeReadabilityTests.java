package io.memquorum.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.memquorum.node.NodeAddress;
import io.memquorum.node.NodeConnection;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.memquorum.engine.TestEngines.bytes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which keys a node may serve while it owes hints: every key but those it missed, unless
 * it missed more than its hints hold.
 */
class NodeReadabilityTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(1);

	private final List<NodeConnection> connections = new ArrayList<>();

	private Node node() throws Exception {
		NodeAddress address = NodeAddress.parse(memcached.cluster().addresses().get(0));
		NodeConnection connection = new NodeConnection(address, Duration.ofSeconds(1), Duration.ofSeconds(1),
				Duration.ofMillis(500));
		this.connections.add(connection);
		return new Node(address, connection, 2, 1 << 20, 3, Duration.ofSeconds(1));
	}

	@AfterEach
	void close() {
		this.connections.forEach(NodeConnection::close);
	}

	@Test
	void aNodeThatMissedAWriteOfOneKeyServesEveryOtherKeyButNotThatOne() throws Exception {
		Node node = node();
		assertThat(node.isReadable("missed")).isTrue();
		node.hints.add("missed", Envelope.value(2, 0, bytes("newer")), EntryMerge.NEWEST_WINS);

		assertThat(node.isReadable("missed")).isFalse();
		assertThat(node.isReadable("other")).isTrue();
		// As a whole it does not serve every key, which its status says.
		assertThat(node.isReadable()).isFalse();
	}

	@Test
	void aNodeWhoseHintsOverflowedServesNoKeyAndNeitherDoesANodeMarkedDown() throws Exception {
		Node node = node();
		node.hints.add("first", Envelope.tombstone(2, 0), EntryMerge.NEWEST_WINS);
		node.hints.add("second", Envelope.tombstone(2, 0), EntryMerge.NEWEST_WINS);
		// A third key does not fit a log of two: which keys it missed is no longer known.
		node.hints.add("third", Envelope.tombstone(2, 0), EntryMerge.NEWEST_WINS);
		assertThat(node.hints.isOverflowed()).isTrue();
		assertThat(node.isReadable("other")).isFalse();

		Node down = node();
		down.markDown("killed", Duration.ofSeconds(1));
		assertThat(down.isReadable("other")).isFalse();
	}

}
