package dev.knoe.autoscaler.sim;

import dev.knoe.autoscaler.ScalingPolicy;
import java.util.Locale;

/** The printed comparison of a run, and the number formats the simulator uses. */
public final class Report {

  private Report() {}

  /** A plain-text table: autoscaled against fixed, totals over every deployment. */
  public static String format(SimulationSpec spec, SimulationResult r) {
    ScalingPolicy p = spec.policy();
    StringBuilder b = new StringBuilder();
    double hours = r.deployments() * r.durationSeconds() / 3600;
    line(
        b,
        "Simulated %d deployment(s) x %s (%s deployment-hours): %s",
        r.deployments(),
        duration(r.durationSeconds()),
        number(hours),
        spec.workload().describe());
    line(
        b,
        "Autoscaled: %d request(s) at once per instance, target %s %% = %s in flight per instance, min %d, max %s,"
            + " initial %d, window %s (panic %s at %s %%), scale-to-zero grace %s; an instance is ready %s s after"
            + " it is asked for%s",
        p.containerConcurrency(),
        number(p.targetUtilizationPercentage()),
        number(p.effectiveTarget()),
        p.minScale(),
        p.maxScale() == 0 ? "none" : Integer.toString(p.maxScale()),
        p.initialScale(),
        duration(seconds(p.stableWindow())),
        duration(seconds(p.panicWindow())),
        number(p.panicThresholdPercentage()),
        duration(seconds(p.zeroDelay())),
        number(spec.startSeconds()),
        spec.startJitterSeconds() > 0
            ? " (+ up to " + number(spec.startJitterSeconds()) + " s)"
            : "");
    line(
        b,
        "Fixed: %s",
        spec.fixedSize() > 0
            ? spec.fixedSize() + " instance(s) per deployment"
            : "each deployment at its autoscaled peak of ready instances ("
                + String.format(Locale.ROOT, "%,d", r.fixedInstances())
                + " in all, "
                + number((double) r.fixedInstances() / r.deployments())
                + " per deployment on average)");
    b.append('\n');
    String row = "%-40s %22s %22s %11s%n";
    b.append(String.format(Locale.ROOT, row, "", "autoscaled", "fixed", "auto/fixed"));
    b.append(
        String.format(Locale.ROOT, row, "requests", count(r.requests()), count(r.requests()), ""));
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "instance-seconds",
            count(Math.round(r.instanceSeconds())),
            count(Math.round(r.fixedInstanceSeconds())),
            ratio(r.instanceSeconds(), r.fixedInstanceSeconds())));
    double perDeployment = r.deployments() * r.durationSeconds();
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "mean instances per deployment",
            fixed2(r.instanceSeconds() / perDeployment),
            fixed2(r.fixedInstanceSeconds() / perDeployment),
            ""));
    b.append(
        String.format(
            Locale.ROOT, row, "cold starts (instances started)", count(r.coldStarts()), "0", ""));
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "requests that waited for a cold start",
            count(r.coldWaited()) + " " + percent(r.coldWaited(), r.requests()),
            "0",
            ""));
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "requests that queued at all",
            count(r.latency().waited()) + " " + percent(r.latency().waited(), r.requests()),
            count(r.fixedLatency().waited())
                + " "
                + percent(r.fixedLatency().waited(), r.requests()),
            ""));
    for (double q : new double[] {50, 90, 99, 99.9}) {
      b.append(
          String.format(
              Locale.ROOT,
              row,
              "added latency p" + number(q) + " (ms)",
              ms(r.latency().percentile(q)),
              ms(r.fixedLatency().percentile(q)),
              ""));
    }
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "added latency max (ms)",
            ms(r.latency().max()),
            ms(r.fixedLatency().max()),
            ""));
    if (r.unfinished() > 0) {
      line(
          b,
          "%d request(s) were never answered (no instance could serve them within a day after the trace)",
          r.unfinished());
    }
    b.append('\n');
    line(
        b,
        "Simulation wall time %.2f s on %d thread(s): %s requests replayed twice, %s requests/s",
        r.wallSeconds(),
        r.threads(),
        count(r.requests()),
        count(Math.round(2 * r.requests() / Math.max(1e-9, r.wallSeconds()))));
    return b.toString();
  }

  private static void line(StringBuilder b, String format, Object... args) {
    b.append(String.format(Locale.ROOT, format, args)).append('\n');
  }

  private static double seconds(java.time.Duration d) {
    return d.toMillis() / 1000.0;
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String fixed2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String ratio(double a, double b) {
    return b > 0 ? String.format(Locale.ROOT, "%.3f", a / b) : "-";
  }

  static String percent(long part, long whole) {
    return whole > 0 ? String.format(Locale.ROOT, "(%.2f %%)", 100.0 * part / whole) : "";
  }

  /** Milliseconds: 1 decimal, 3 below 1 ms (0 when no wait). */
  static String ms(double seconds) {
    double ms = seconds * 1000;
    return seconds == 0 ? "0" : String.format(Locale.ROOT, ms < 1 ? "%.3f" : "%.1f", ms);
  }

  /** A number without a needless fraction: 2, 0.5, 1.25. */
  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    String s = String.format(Locale.ROOT, "%.3f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /** A duration as 1h, 15m, 90s, 1h30m, 0.5s. */
  static String duration(double seconds) {
    if (seconds != Math.rint(seconds) || seconds < 60) {
      return number(seconds) + "s";
    }
    long s = (long) seconds;
    StringBuilder b = new StringBuilder();
    if (s >= 3600) {
      b.append(s / 3600).append('h');
      s %= 3600;
    }
    if (s >= 60) {
      b.append(s / 60).append('m');
      s %= 60;
    }
    if (s > 0) {
      b.append(s).append('s');
    }
    return b.toString();
  }
}
