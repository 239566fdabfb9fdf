/**
 * The Knative Pod Autoscaler decision ({@link dev.knoe.autoscaler.Autoscaler}) and the policy it
 * follows ({@link dev.knoe.autoscaler.ScalingPolicy}): no framework, no threads, time passed in.
 */
package dev.knoe.autoscaler;
