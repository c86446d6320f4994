/**
 * The tests both samples pass, which each sample's tests extend: the HTTP contract, and a
 * real browser that stays signed in while a memcached node restarts empty.
 */
@NullMarked
package io.memquorum.sample.contract;

import org.jspecify.annotations.NullMarked;
