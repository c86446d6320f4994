package io.memquorum.sample.web;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import io.memquorum.sample.session.SessionAttributeRules;
import jakarta.servlet.http.HttpSession;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reads and writes attributes of the caller's HTTP session, which lives in replicated
 * memcached, under the rules of {@link SessionAttributeRules}.
 */
@RestController
class SessionAttributesController {

	@PutMapping("/api/session/attributes/{name}")
	Map<String, String> put(@PathVariable String name, @RequestBody String value, HttpSession session) {
		SessionAttributeRules.checkWritable(name, value);
		session.setAttribute(name, value);
		return Map.of(name, value);
	}

	@GetMapping("/api/session/attributes")
	Map<String, String> list(HttpSession session) {
		Map<String, String> attributes = new TreeMap<>();
		for (String name : Collections.list(session.getAttributeNames())) {
			attributes.put(name, SessionAttributeRules.shown(session.getAttribute(name)));
		}
		return attributes;
	}

}
