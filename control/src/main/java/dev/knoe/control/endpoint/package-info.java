/**
 * The endpoint service: endpoints and deployments created, changed, shown and deleted through one
 * interface ({@link dev.knoe.control.endpoint.Endpoints}), run on this machine or kept as a
 * cluster's custom resources, under one set of {@link dev.knoe.control.endpoint.Rules}.
 */
package dev.knoe.control.endpoint;
