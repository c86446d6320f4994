package io.memquorum.node;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class NodeAddressTests {

	@Test
	void hostAndPortParse() {
		assertThat(NodeAddress.parse(" 127.0.0.1:11211 ")).isEqualTo(new NodeAddress("127.0.0.1", 11211));
	}

	@Test
	void bracketedIpv6Parses() {
		NodeAddress address = NodeAddress.parse("[::1]:11211");
		assertThat(address.host()).isEqualTo("::1");
		assertThat(address).hasToString("[::1]:11211");
	}

	@Test
	void missingPortIsRejectedWithTheText() {
		assertThatIllegalArgumentException().isThrownBy(() -> NodeAddress.parse("cache-1"))
			.withMessage("'cache-1' is not a memcached node address: expected host:port, for example 127.0.0.1:11211");
	}

	@Test
	void nonNumericPortIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> NodeAddress.parse("cache-1:http"))
			.withMessageContaining("the port must be a number");
	}

	@Test
	void portOutOfRangeIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> NodeAddress.parse("cache-1:70000"))
			.withMessageContaining("Port must be between 1 and 65535, got 70000");
	}

}
