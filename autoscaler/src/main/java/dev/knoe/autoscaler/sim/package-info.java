/**
 * The autoscaling simulator ({@code knoe-simulate}, {@link dev.knoe.autoscaler.sim.Simulate}):
 * replays a request trace, from a CSV file ({@link dev.knoe.autoscaler.sim.CsvTrace}) or generated
 * ({@link dev.knoe.autoscaler.sim.Pattern}: Poisson, diurnal, bursty), for one or many deployments
 * through Knative's decision ({@link dev.knoe.autoscaler.Autoscaler}) with a model of instance
 * start time ({@link dev.knoe.autoscaler.sim.DeploymentSimulator}), and through a fixed-size
 * deployment; prints the comparison ({@link dev.knoe.autoscaler.sim.Report}) and plots one
 * deployment as SVG ({@link dev.knoe.autoscaler.sim.SvgPlot}). Deterministic for a seed; its one
 * dependency is HdrHistogram (latency percentiles).
 */
package dev.knoe.autoscaler.sim;
