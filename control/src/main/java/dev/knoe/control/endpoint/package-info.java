/** Endpoints and their deployments as the control plane keeps them: spec, generation, status, persistence. */
package dev.knoe.control.endpoint;
