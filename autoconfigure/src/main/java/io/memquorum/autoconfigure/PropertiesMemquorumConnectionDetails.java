package io.memquorum.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * {@link MemquorumConnectionDetails} read from the {@code memquorum.*} properties.
 */
class PropertiesMemquorumConnectionDetails implements MemquorumConnectionDetails {

	private final MemquorumProperties properties;

	PropertiesMemquorumConnectionDetails(MemquorumProperties properties) {
		this.properties = properties;
	}

	@Override
	public List<String> getServers() {
		return this.properties.getServers();
	}

	@Override
	public @Nullable String getUsername() {
		return this.properties.getUsername();
	}

	@Override
	public @Nullable String getPassword() {
		return this.properties.getPassword();
	}

}
