package io.memquorum.test;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test opened (memcached nodes, a DNS server, engines), closed in the reverse
 * order when the test ends: an engine before the nodes it talks to, the nodes before the
 * DNS server that names them. A test registers one as an extension
 * ({@code @RegisterExtension}), which closes it after each test.
 */
public final class OpenedInTest implements AutoCloseable, AfterEachCallback {

	private final List<AutoCloseable> opened = new ArrayList<>();

	/**
	 * Remember a resource to close when the test ends.
	 * @param resource what was just opened
	 * @param <T> its type
	 * @return the resource
	 */
	public <T extends AutoCloseable> T open(T resource) {
		this.opened.add(resource);
		return resource;
	}

	/**
	 * Close one resource before the test ends (an instance that stops mid-test), and
	 * forget it.
	 * @param resource something {@link #open} returned
	 * @throws Exception what closing it threw
	 */
	public void closeNow(AutoCloseable resource) throws Exception {
		this.opened.remove(resource);
		resource.close();
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		close();
	}

	/**
	 * Close everything, last opened first; one failure does not keep the rest open.
	 * @throws Exception the first failure, with the later ones suppressed
	 */
	@Override
	public void close() throws Exception {
		Exception failure = null;
		for (int i = this.opened.size() - 1; i >= 0; i--) {
			try {
				this.opened.get(i).close();
			}
			catch (Exception ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		this.opened.clear();
		if (failure != null) {
			throw failure;
		}
	}

}
