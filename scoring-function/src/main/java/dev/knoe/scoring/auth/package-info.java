/** Bearer keys and RS256 tokens for {@code KNOE_AUTH=required}, read from files that may change at any time. */
package dev.knoe.scoring.auth;
