/**
 * Cluster mode (DESIGN §4): the OnlineEndpoint and OnlineDeployment custom resources are the source
 * of truth; a leader-elected, watch-driven {@link dev.knoe.control.cluster.Reconciler} turns each
 * endpoint into its Knative Service, Triggers and auth Secret, and writes status back.
 */
package dev.knoe.control.cluster;
