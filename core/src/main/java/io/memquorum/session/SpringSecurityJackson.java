package io.memquorum.session;

import java.util.List;

import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

import org.springframework.security.jackson.SecurityJacksonModules;

/**
 * Spring Security's Jackson 3 modules, in a class of their own so that it is loaded only
 * when Spring Security is on the class path.
 */
final class SpringSecurityJackson {

	private SpringSecurityJackson() {
	}

	/**
	 * Spring Security's modules, which enable type information with a validator that
	 * allows Spring Security's classes and whatever {@code types} already allows.
	 */
	static List<JacksonModule> modules(ClassLoader loader, BasicPolymorphicTypeValidator.Builder types) {
		return SecurityJacksonModules.getModules(loader, types);
	}

}
