package io.memquorum.sample.web;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpSession;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reads and writes attributes of the caller's HTTP session, which lives in replicated
 * memcached. Values set here are text; attributes that the application itself keeps (such
 * as Spring Security's context) are listed by type only, so that nothing secret is
 * echoed.
 */
@RestController
class SessionAttributesController {

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

	private static final int MAX_VALUE_LENGTH = 4096;

	@PutMapping("/api/session/attributes/{name}")
	Map<String, String> put(@PathVariable String name, @RequestBody String value, HttpSession session) {
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
		session.setAttribute(name, value);
		return Map.of(name, value);
	}

	@GetMapping("/api/session/attributes")
	Map<String, String> list(HttpSession session) {
		Map<String, String> attributes = new TreeMap<>();
		for (String name : Collections.list(session.getAttributeNames())) {
			Object value = session.getAttribute(name);
			attributes.put(name, (value instanceof String text) ? text
					: "<" + ((value != null) ? value.getClass().getName() : "null") + ">");
		}
		return attributes;
	}

}
