/**
 * What a scoring-function instance is given, the same for a local child process and a Knative pod:
 * its {@code KNOE_*} variables ({@link dev.knoe.control.scoring.ScoringEnvironment}) and its
 * deployment's scaling policy ({@link dev.knoe.control.scoring.Scaling}). Depends on {@code spec}
 * and the autoscaler only, so that {@code runtime} and {@code knative} both may use it.
 */
package dev.knoe.control.scoring;
