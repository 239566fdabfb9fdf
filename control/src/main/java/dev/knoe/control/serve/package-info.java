/**
 * {@code knoe serve}: configuration and wiring only (CDI producers and lifecycle): which endpoint
 * service, router, backend, registry and credentials run, started and stopped with the server.
 */
package dev.knoe.control.serve;
