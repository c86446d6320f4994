/**
 * The tests both samples pass, shipped in the test jar of {@code sample-shared}: the HTTP
 * contract, and a real browser that stays signed in while a memcached node restarts
 * empty.
 */
@NullMarked
package io.memquorum.sample.contract;

import org.jspecify.annotations.NullMarked;
