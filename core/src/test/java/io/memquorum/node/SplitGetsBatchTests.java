package io.memquorum.node;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import net.rubyeye.xmemcached.exception.MemcachedDecodeException;
import net.rubyeye.xmemcached.exception.MemcachedServerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How a {@link SplitGetsBatch} reads memcached's one reply to many keys, fed the reply
 * bytes directly: in one piece and a byte at a time, hits, misses and repeated keys, and
 * replies that no memcached sends (hostile bytes). {@link SplitReadTests} sends batches
 * to real memcached.
 */
class SplitGetsBatchTests {

	private static final ItemLayout LAYOUT = new ItemLayout(77, 2, 1);

	@Test
	void theRequestLineAsksForEveryKeyOnceInOrder() {
		SplitGetsBatch batch = new SplitGetsBatch(gets("a", "bb", "a", "c"));

		byte[] line = new byte[batch.getIoBuffer().remaining()];
		batch.getIoBuffer().buf().get(line);

		assertThat(new String(line, StandardCharsets.US_ASCII)).isEqualTo("gets a bb c\r\n");
	}

	@Test
	void eachKeyGetsItsOwnValueAndKeysWithoutAValueLineAreMisses() {
		List<SplitGetsCommand> gets = gets("miss-1", "hit", "miss-2", "whole", "miss-3");
		String reply = "VALUE hit 77 6 11\r\nHHbodT\r\nVALUE whole 5 3 12\r\nxyz\r\nEND\r\n";

		assertThat(decodeInOnePiece(new SplitGetsBatch(gets), reply)).isTrue();

		assertThat(results(gets)).containsExactly(null, "HHbodT", null, "xyz", null);
		assertThat(item(gets.get(1)).isSplit()).isTrue();
		assertThat(item(gets.get(1)).body()).isEqualTo(bytes("bod"));
		assertThat(item(gets.get(1)).cas()).isEqualTo(11);
		assertThat(item(gets.get(3)).isSplit()).isFalse();
		assertThat(item(gets.get(3)).flags()).isEqualTo(5);
	}

	@Test
	void commandsWantingTheSameKeyEachGetTheValueInArraysOfTheirOwn() {
		List<SplitGetsCommand> gets = gets("k", "other", "k");

		decodeInOnePiece(new SplitGetsBatch(gets), "VALUE k 77 4 1\r\nHHbT\r\nEND\r\n");

		assertThat(results(gets)).containsExactly("HHbT", null, "HHbT");
		StoredItem first = item(gets.get(0));
		StoredItem second = item(gets.get(2));
		assertThat(second.body()).isNotSameAs(first.body());
		assertThat(second.head()).isNotSameAs(first.head());
		second.body()[0] = 'X';
		assertThat(first.body()).isEqualTo(bytes("b"));
	}

	@Test
	void aValueLineForAKeyAlreadyAnsweredIsAProtocolError() {
		SplitGetsBatch batch = new SplitGetsBatch(gets("k", "k"));

		assertThatExceptionOfType(MemcachedDecodeException.class)
			.isThrownBy(() -> decodeInOnePiece(batch, "VALUE k 0 1 1\r\nA\r\nVALUE k 0 1 2\r\nB\r\nEND\r\n"));
	}

	@Test
	void aReplyArrivingAByteAtATimeReadsTheSame() {
		List<SplitGetsCommand> gets = gets("x", "y", "z");
		SplitGetsBatch batch = new SplitGetsBatch(gets);
		byte[] reply = bytes("VALUE x 77 4 1\r\n\r\n\r\n\r\nVALUE z 77 5 2\r\nENDxy\r\nEND\r\n");
		ByteBuffer buffer = ByteBuffer.allocate(reply.length);
		boolean done = false;
		for (int i = 0; i < reply.length; i++) {
			// what the reactor does: append what arrived, decode, keep the rest
			buffer.put(reply[i]);
			buffer.flip();
			done = batch.decode(null, buffer);
			buffer.compact();
			assertThat(done).as("complete after byte %d of %d", i + 1, reply.length).isEqualTo(i == reply.length - 1);
		}
		assertThat(results(gets)).containsExactly("\r\n\r\n", null, "ENDxy");
	}

	@Test
	void aMissIsCompleteAsSoonAsALaterKeysValueLineArrives() {
		List<SplitGetsCommand> gets = gets("miss", "hit");
		SplitGetsBatch batch = new SplitGetsBatch(gets);

		assertThat(batch.decode(null, buffer("VALUE hit 0 3 1\r\nab"))).isFalse();

		assertThat(gets.get(0).getLatch().getCount()).as("the miss is answered").isZero();
		assertThat(gets.get(1).getLatch().getCount()).as("the hit is still arriving").isOne();
	}

	@ParameterizedTest
	@ValueSource(
			strings = { "VALUE stranger 0 1 1\r\nA\r\nEND\r\n", "VALUE b 0 1 1\r\nB\r\nVALUE a 0 1 1\r\nA\r\nEND\r\n",
					"VALUE a 0 1 1\r\nAXX", "VALUE a 0 -1 1\r\n", "GARBAGE\r\n" })
	void hostileRepliesAreProtocolErrorsAndTheCommandsNotAnsweredFailWhenTheSessionCloses(String reply) {
		List<SplitGetsCommand> gets = gets("a", "b", "c");
		SplitGetsBatch batch = new SplitGetsBatch(gets);

		assertThatExceptionOfType(MemcachedDecodeException.class).isThrownBy(() -> decodeInOnePiece(batch, reply));
		// what xmemcached does to the command being read when it closes the session
		batch.setException(new IllegalStateException("Session has been closed"));
		batch.countDownLatch();

		for (SplitGetsCommand get : gets) {
			assertThat(get.getLatch().getCount()).isZero();
		}
		assertThat(gets.get(2).getException()).hasMessage("Session has been closed");
	}

	@Test
	void anOverlongReplyLineIsAProtocolErrorBeforeItEnds() {
		SplitGetsBatch batch = new SplitGetsBatch(gets("a", "b"));
		String overlong = "VALUE a " + "1".repeat(600);

		assertThatExceptionOfType(MemcachedDecodeException.class).isThrownBy(() -> batch.decode(null, buffer(overlong)))
			.withMessageContaining("over 512 bytes");
	}

	@Test
	void anErrorReplyFailsTheKeysNotYetAnsweredAndKeepsTheAnswersGiven() {
		List<SplitGetsCommand> gets = gets("a", "b", "c");

		assertThat(decodeInOnePiece(new SplitGetsBatch(gets),
				"VALUE a 0 1 1\r\nA\r\nSERVER_ERROR out of memory writing get response\r\n"))
			.isTrue();

		assertThat(gets.get(0).getResult()).isNotNull();
		assertThat(gets.get(0).getException()).isNull();
		assertThat(gets.get(1).getException()).isInstanceOf(MemcachedServerException.class)
			.hasMessageContaining("out of memory");
		assertThat(gets.get(2).getException()).isInstanceOf(MemcachedServerException.class);
	}

	private static boolean decodeInOnePiece(SplitGetsBatch batch, String reply) {
		return batch.decode(null, buffer(reply));
	}

	private static List<SplitGetsCommand> gets(String... keys) {
		List<SplitGetsCommand> gets = new ArrayList<>();
		for (String key : keys) {
			SplitGetsCommand get = new SplitGetsCommand(key, bytes(key), LAYOUT);
			get.setLatch(new CountDownLatch(1));
			gets.add(get);
		}
		return gets;
	}

	private static List<String> results(List<SplitGetsCommand> gets) {
		List<String> results = new ArrayList<>();
		for (SplitGetsCommand get : gets) {
			assertThat(get.getLatch().getCount()).as("%s answered", get).isZero();
			StoredItem item = (StoredItem) get.getResult();
			results.add((item != null) ? new String(item.data(), StandardCharsets.US_ASCII) : null);
		}
		return results;
	}

	private static StoredItem item(SplitGetsCommand get) {
		return (StoredItem) get.getResult();
	}

	private static ByteBuffer buffer(String text) {
		return ByteBuffer.wrap(bytes(text));
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
