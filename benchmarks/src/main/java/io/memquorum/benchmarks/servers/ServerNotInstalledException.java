package io.memquorum.benchmarks.servers;

/**
 * Thrown when a server a benchmark compares against is not installed.
 */
public class ServerNotInstalledException extends RuntimeException {

	private final String executable;

	ServerNotInstalledException(String executable, String debianPackage) {
		super(executable + " is not installed (looked on the PATH, /usr/bin and /usr/sbin); install it with "
				+ "'apt-get install -y " + debianPackage + "' or let benchmarks/run do it as root");
		this.executable = executable;
	}

	/**
	 * The executable that was looked for.
	 * @return its name, for example {@code redis-server}
	 */
	public String getExecutable() {
		return this.executable;
	}

}
