/**
 * The control API: thin REST resources over the endpoint service and the model registry, YAML or
 * JSON in, JSON out (written in {@code Views}), errors mapped to HTTP statuses in one place ({@code
 * Errors}), the admin credential required.
 */
package dev.knoe.control.api;
