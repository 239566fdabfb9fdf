/** Typed configuration of the scoring function, read from {@code KNOE_*} environment variables. */
package dev.knoe.scoring.config;
