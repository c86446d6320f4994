package io.memquorum.sample.webflux.web;

import java.util.Map;
import java.util.TreeMap;

import io.memquorum.sample.session.SessionAttributeRules;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.WebSession;

/**
 * Reads and writes attributes of the caller's WebSession, which lives in replicated
 * memcached, under the rules of {@link SessionAttributeRules}. The session is saved when
 * the response is committed.
 */
@RestController
class SessionAttributesController {

	@PutMapping("/api/session/attributes/{name}")
	Map<String, String> put(@PathVariable String name, @RequestBody String value, WebSession session) {
		SessionAttributeRules.checkWritable(name, value);
		session.getAttributes().put(name, value);
		return Map.of(name, value);
	}

	@GetMapping("/api/session/attributes")
	Map<String, String> list(WebSession session) {
		Map<String, String> attributes = new TreeMap<>();
		session.getAttributes().forEach((name, value) -> attributes.put(name, SessionAttributeRules.shown(value)));
		return attributes;
	}

}
