/**
 * What an endpoint and its deployments become on a cluster with Knative: names, the instance-type
 * catalog and the desired Knative Service, Triggers and custom resources, as pure functions.
 */
package dev.knoe.control.knative;
