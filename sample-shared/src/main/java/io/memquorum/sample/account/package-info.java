/**
 * The demo accounts that both samples sign in.
 */
@NullMarked
package io.memquorum.sample.account;

import org.jspecify.annotations.NullMarked;
