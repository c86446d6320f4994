/**
 * The rules both samples apply to session attributes set over HTTP.
 */
@NullMarked
package io.memquorum.sample.session;

import org.jspecify.annotations.NullMarked;
