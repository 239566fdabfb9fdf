/**
 * The local data plane: one port, every endpoint under {@code /endpoints/<name>}; traffic split,
 * deployment header, mirroring, auth, timeouts, the 429 rule, and holding requests for a deployment
 * that has no ready instance yet (as Knative's activator does).
 */
package dev.knoe.control.router;
