/** The Kubernetes objects the cluster reconciler wants for an endpoint, built by pure functions. */
package dev.knoe.control.cluster.resources;
