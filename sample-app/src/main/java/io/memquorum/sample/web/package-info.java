/**
 * Pages and the JSON API of the sample application, and its security rules.
 */
@NullMarked
package io.memquorum.sample.web;

import org.jspecify.annotations.NullMarked;
