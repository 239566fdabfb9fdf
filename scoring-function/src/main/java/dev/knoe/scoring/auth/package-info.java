/**
 * Bearer keys and RS256 tokens for {@code KNOE_AUTH=required}, and the token of {@code
 * /events/<token>}, read from files that may change at any time.
 */
package dev.knoe.scoring.auth;
