/**
 * The local mode's state under the data directory: endpoints and deployments as stored (spec,
 * generation, status), files written atomically, so a crash leaves old or new, never half.
 */
package dev.knoe.control.state;
