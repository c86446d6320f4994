/**
 * What keeps memcached's contents trustworthy when others can reach it: the configured
 * signing secrets, the keys derived from them, entry signatures and session id
 * encryption.
 */
@NullMarked
package io.memquorum.signing;

import org.jspecify.annotations.NullMarked;
