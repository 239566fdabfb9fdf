/**
 * Where a local deployment runs: the backend interface the local endpoint service owns, and the
 * local backend (instances as child processes).
 */
package dev.knoe.control.runtime;
