/** Where deployments run: the interface the control plane owns, implemented by the local backend (and later Knative). */
package dev.knoe.control.runtime;
