/**
 * Pages and the JSON API of the WebFlux sample, and its security rules.
 */
@NullMarked
package io.memquorum.sample.webflux.web;

import org.jspecify.annotations.NullMarked;
