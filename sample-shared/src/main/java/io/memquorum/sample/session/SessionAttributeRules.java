package io.memquorum.sample.session;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * What both samples accept as a session attribute set over HTTP, and how they list one.
 * Values set over HTTP are text; attributes that the application itself keeps (such as
 * Spring Security's context) are listed by type only, so that nothing secret is echoed.
 */
public final class SessionAttributeRules {

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

	private static final int MAX_VALUE_LENGTH = 4096;

	private SessionAttributeRules() {
	}

	/**
	 * Checks an attribute that a caller wants to store.
	 * @param name the attribute name
	 * @param value its text value
	 * @throws InvalidSessionAttributeException for a name outside the allowed characters,
	 * a name reserved for Spring, or a value that is too long
	 */
	public static void checkWritable(String name, String value) {
		if (!NAME.matcher(name).matches()) {
			throw new InvalidSessionAttributeException(
					"Attribute name must be 1 to 100 letters, digits, '.', '_' or '-', was '" + name + "'");
		}
		if (name.startsWith("SPRING_") || name.startsWith("org.springframework")) {
			throw new InvalidSessionAttributeException("Attribute name '" + name + "' is reserved for Spring");
		}
		if (value.length() > MAX_VALUE_LENGTH) {
			throw new InvalidSessionAttributeException(
					"Attribute value must be at most " + MAX_VALUE_LENGTH + " characters, was " + value.length());
		}
	}

	/**
	 * How an attribute value is listed.
	 * @param value the stored value
	 * @return the text itself, or the value's type in angle brackets
	 */
	public static String shown(@Nullable Object value) {
		return (value instanceof String text) ? text
				: "<" + ((value != null) ? value.getClass().getName() : "null") + ">";
	}

}
