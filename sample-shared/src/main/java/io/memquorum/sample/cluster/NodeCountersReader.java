package io.memquorum.sample.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import io.memquorum.node.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * Asks one memcached node for its {@code stats} over a short-lived text-protocol
 * connection. The engine counts failovers and repairs, but hits and misses are best told
 * by the node itself, so the panel reads them here. A node that does not answer within
 * the timeout has no counters. When memcached requires a login ({@code -Y}), the
 * connection sends {@code memquorum.username} and {@code memquorum.password} first, as
 * every connection must.
 */
class NodeCountersReader {

	private final Duration timeout;

	private final @Nullable String login;

	NodeCountersReader(Duration timeout) {
		this(timeout, null, null);
	}

	NodeCountersReader(Duration timeout, @Nullable String username, @Nullable String password) {
		this.timeout = timeout;
		this.login = (username != null && password != null) ? username + " " + password : null;
	}

	Optional<NodeCounters> read(NodeAddress address) {
		int millis = (int) this.timeout.toMillis();
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(address.host(), address.port()), millis);
			socket.setSoTimeout(millis);
			OutputStream out = socket.getOutputStream();
			BufferedReader in = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
			if (this.login != null) {
				byte[] login = this.login.getBytes(StandardCharsets.UTF_8);
				out.write(("set memquorum-auth 0 0 " + login.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
				out.write(login);
				out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
				out.flush();
				if (!"STORED".equals(in.readLine())) {
					return Optional.empty();
				}
			}
			out.write("stats\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			long hits = -1;
			long misses = -1;
			for (String line = in.readLine(); line != null && !line.equals("END"); line = in.readLine()) {
				String[] parts = line.split(" ");
				if (parts.length == 3 && parts[0].equals("STAT")) {
					switch (parts[1]) {
						case "get_hits" -> hits = Long.parseLong(parts[2]);
						case "get_misses" -> misses = Long.parseLong(parts[2]);
						default -> {
						}
					}
				}
			}
			return (hits >= 0 && misses >= 0) ? Optional.of(new NodeCounters(hits, misses)) : Optional.empty();
		}
		catch (IOException | NumberFormatException ex) {
			return Optional.empty();
		}
	}

}
