package io.memquorum.sample.session;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ResponseStatus;

/**
 * Thrown when a session attribute cannot be stored as asked: a name outside the allowed
 * characters, a reserved name, or a value that is too long.
 */
@ResponseStatus(HttpStatus.BAD_REQUEST)
public class InvalidSessionAttributeException extends RuntimeException {

	public InvalidSessionAttributeException(String message) {
		super(message);
	}

}
