/**
 * The local backend's data plane: each deployment instance is a scoring-function child process on a
 * loopback port, supervised.
 */
package dev.knoe.control.runtime.local;
