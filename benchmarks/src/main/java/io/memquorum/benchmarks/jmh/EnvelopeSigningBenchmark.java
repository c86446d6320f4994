package io.memquorum.benchmarks.jmh;

import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.memquorum.engine.Envelope;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.SigningKeys;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU cost that signing adds to each operation, without the network: encoding the 1
 * KB envelope of a set, and reading (checking and decoding) the envelope of a get, with
 * {@code signing=off} as the baseline and {@code signing=on} (HMAC-SHA256 over key and
 * bytes) in the same run. {@link SigningBenchmark} measures the same over real memcached,
 * where this difference is added to a network round trip.
 *
 * <p>
 * After {@code ./mvnw -q -pl benchmarks -am package -DskipTests}: <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' org.openjdk.jmh.Main EnvelopeSigningBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EnvelopeSigningBenchmark {

	private static final String KEY = "products::#42";

	/** {@code off}: unsigned envelopes; {@code on}: signed and verified. */
	@Param({ "off", "on" })
	public String signing = "on";

	private @Nullable EntrySigner signer;

	private Envelope envelope = Envelope.value(1, 0, new byte[0]);

	private byte[] stored = new byte[0];

	@Setup(Level.Trial)
	public void prepare() {
		this.signer = "on".equals(this.signing)
				? new EntrySigner(SigningKeys.of(List.of(Base64.getEncoder().encodeToString(new byte[32])))) : null;
		this.envelope = Envelope.value(System.currentTimeMillis(), 0, Workload.value());
		this.stored = encode();
	}

	@Benchmark
	public byte[] encode() {
		return (this.signer != null) ? this.envelope.encodeSigned(KEY, this.signer) : this.envelope.encode();
	}

	@Benchmark
	public Envelope.@Nullable Reading read() {
		return Envelope.read(Envelope.FLAGS, this.stored, KEY, this.signer);
	}

}
