package dev.knoe.autoscaler.sim;

import dev.knoe.autoscaler.ScalingPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code knoe-simulate}: replays a trace (a CSV file or a generated pattern) for one or many
 * deployments through Knative's decision ({@link dev.knoe.autoscaler.Autoscaler}) and through a
 * fixed-size deployment, prints the comparison and optionally plots one deployment as SVG. Exit
 * codes: 0 done, 2 bad options or an unreadable trace, 1 anything else.
 */
public final class Simulate {

  static final String USAGE =
      """
      Usage: knoe-simulate [--trace FILE | --pattern poisson|diurnal|bursty] [options]

      Replays request traffic through Knative's autoscaling decision (the KPA, as the platform runs it)
      with a model of instance start time, and through a fixed-size deployment, and compares them.

      Traffic
        --trace FILE           CSV of arrival_seconds,service_seconds[,deployment] (optional header)
        --pattern KIND         poisson (default), diurnal or bursty, generated per deployment
        --rate R               requests/s: poisson rate; diurnal lowest rate; bursty quiet rate (2)
        --peak R               diurnal highest rate; bursty rate during a burst (20)
        --period D             diurnal cycle length (the duration: one cycle)
        --quiet D              bursty: mean length of a quiet period (3m)
        --burst D              bursty: mean length of a burst (30s)
        --service-ms MS        mean service time of generated requests (50)
        --service exp|fixed    service time distribution (exp)
        --deployments N        generated deployments, each with its own random stream (1)
        --duration D           trace length, e.g. 1h, 15m, 90s (1h; a CSV: up to its last arrival)
        --seed N               seed of generated traffic and start jitter (1)
      Deployment and autoscaling (Knative defaults unless said)
        --concurrency N        requests an instance serves at once (1, Azure's default)
        --utilization PCT      target utilization of that concurrency, 1..100 (70)
        --min N                min instances, 0 scales to zero (0)
        --max N                max instances, 0 for no limit (0)
        --initial N            instances at the start (1)
        --window D             stable window, 6s..1h (60s)
        --panic-window PCT     panic window as % of the stable window (10)
        --panic-threshold PCT  panic threshold, % of ready capacity (200)
        --scale-down-delay D   (0s)
        --grace D              scale-to-zero grace period (30s)
        --start-seconds S      time from asking for an instance until it is ready (1.0)
        --start-jitter S       plus a uniform random 0..S seconds (0)
        --fixed N              size of the fixed deployment compared with (each one's autoscaled peak)
      Run and output
        --threads N            worker threads (the number of cores)
        --svg FILE             plot one deployment's load and instances over time
        --plot-deployment I    which: 1-based index, or a deployment name of the trace (1)
        --write-trace FILE     also write the replayed requests as a CSV trace (--trace reads it back)
        --help                 this text
      Durations: a number of seconds, or with a unit: 500ms, 90s, 15m, 1h, 1d.
      """;

  private static final List<String> OPTIONS =
      List.of(
          "trace",
          "pattern",
          "rate",
          "peak",
          "period",
          "quiet",
          "burst",
          "service-ms",
          "service",
          "deployments",
          "duration",
          "seed",
          "concurrency",
          "utilization",
          "min",
          "max",
          "initial",
          "window",
          "panic-window",
          "panic-threshold",
          "scale-down-delay",
          "grace",
          "start-seconds",
          "start-jitter",
          "fixed",
          "threads",
          "svg",
          "plot-deployment",
          "write-trace");

  private Simulate() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    System.out.flush();
    System.exit(code);
  }

  /** Runs the command; returns its exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> o;
    try {
      o = parse(args);
    } catch (UsageException e) {
      err.println("knoe-simulate: " + e.getMessage() + " (--help lists the options)");
      return 2;
    }
    if (o.containsKey("help")) {
      out.print(USAGE);
      return 0;
    }
    SimulationSpec spec;
    try {
      spec = spec(o);
    } catch (UsageException e) {
      String hint = e.getMessage().startsWith("--") ? " (--help lists the options)" : "";
      err.println("knoe-simulate: " + e.getMessage() + hint);
      return 2;
    }
    if (o.containsKey("write-trace")) {
      Path file = Path.of(o.get("write-trace"));
      try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        long n = CsvTrace.write(spec.workload(), spec.durationSeconds(), w);
        out.println("Trace of " + n + " request(s) written to " + file);
      } catch (IOException e) {
        err.println("knoe-simulate: --write-trace " + file + ": cannot write: " + e.getMessage());
        return 1;
      }
    }
    SimulationResult r;
    try {
      r = Simulation.run(spec);
    } catch (RuntimeException e) {
      err.println("knoe-simulate: the simulation failed: " + e);
      return 1;
    }
    out.print(Report.format(spec, r));
    if (o.containsKey("svg") && r.timeline() != null) {
      Path file = Path.of(o.get("svg"));
      String svg =
          SvgPlot.render(
              r.timeline(), "Autoscaling simulation: " + r.timeline().deployment(), subtitle(spec));
      try {
        if (file.toAbsolutePath().getParent() != null) {
          Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, svg, StandardCharsets.UTF_8);
      } catch (IOException e) {
        err.println("knoe-simulate: --svg " + file + ": cannot write: " + e.getMessage());
        return 1;
      }
      out.println("Plot of " + r.timeline().deployment() + " written to " + file);
    }
    return 0;
  }

  static String subtitle(SimulationSpec spec) {
    ScalingPolicy p = spec.policy();
    return String.format(
        Locale.ROOT,
        "%s\nconcurrency %d per instance at %s %% (target %s in flight per instance),"
            + " min %d, max %s, window %s, scale-to-zero grace %s, instances ready %s s after asked for",
        spec.workload().describe(),
        p.containerConcurrency(),
        Report.number(p.targetUtilizationPercentage()),
        Report.number(p.effectiveTarget()),
        p.minScale(),
        p.maxScale() == 0 ? "none" : Integer.toString(p.maxScale()),
        Report.duration(p.stableWindow().toMillis() / 1000.0),
        Report.duration(p.zeroDelay().toMillis() / 1000.0),
        Report.number(spec.startSeconds()));
  }

  /** A bad command line; the message names the option. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  static Map<String, String> parse(String[] args) throws UsageException {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        o.put("help", "");
        continue;
      }
      if (!a.startsWith("--")) {
        throw new UsageException("unexpected argument '" + a + "'");
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (!OPTIONS.contains(name)) {
        throw new UsageException("unknown option --" + name);
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new UsageException("--" + name + " needs a value");
        }
        value = args[++i];
      }
      if (o.put(name, value) != null) {
        throw new UsageException("--" + name + " given twice");
      }
    }
    return o;
  }

  static SimulationSpec spec(Map<String, String> o) throws UsageException {
    if (o.containsKey("trace") && o.containsKey("pattern")) {
      throw new UsageException("--trace and --pattern: give one of them");
    }
    long seed = integer(o, "seed", 1, Long.MIN_VALUE, Long.MAX_VALUE);
    double duration;
    Workload workload;
    int plot = 0;
    if (o.containsKey("trace")) {
      for (String generatorOnly :
          List.of(
              "rate", "peak", "period", "quiet", "burst", "service-ms", "service", "deployments")) {
        if (o.containsKey(generatorOnly)) {
          throw new UsageException(
              "--" + generatorOnly + " is for generated traffic, not with --trace");
        }
      }
      CsvTrace trace;
      try {
        trace = CsvTrace.read(Path.of(o.get("trace")));
      } catch (NoSuchFileException e) {
        throw new UsageException("--trace " + o.get("trace") + ": no such file");
      } catch (IOException e) {
        throw new UsageException(
            "--trace " + o.get("trace") + ": cannot read it: " + e.getMessage());
      } catch (TraceFormatException e) {
        throw new UsageException(e.getMessage());
      }
      workload = trace;
      duration =
          o.containsKey("duration")
              ? duration(o, "duration", 0)
              : Math.floor(trace.lastArrival()) + 1;
      String pd = o.get("plot-deployment");
      if (pd != null) {
        int named = trace.indexOf(pd);
        if (named >= 0) {
          plot = named;
        } else if (pd.strip().matches("\\d+")) {
          plot = (int) integer(o, "plot-deployment", 1, 1, trace.deployments()) - 1;
        } else {
          throw new UsageException(
              "--plot-deployment "
                  + pd
                  + ": no deployment of that name in the trace (nor an"
                  + " index 1.."
                  + trace.deployments()
                  + ")");
        }
      }
    } else {
      String kind = o.getOrDefault("pattern", "poisson");
      Pattern.Kind k =
          switch (kind) {
            case "poisson" -> Pattern.Kind.POISSON;
            case "diurnal" -> Pattern.Kind.DIURNAL;
            case "bursty" -> Pattern.Kind.BURSTY;
            default ->
                throw new UsageException(
                    "--pattern " + kind + ": expected poisson, diurnal or bursty");
          };
      duration = duration(o, "duration", 3600);
      if (duration <= 0) {
        throw new UsageException("--duration must be above 0");
      }
      double rate = real(o, "rate", 2, 0);
      double peak = real(o, "peak", Math.max(20, rate), 0);
      if (k == Pattern.Kind.DIURNAL && peak < rate) {
        throw new UsageException(
            "--peak " + Report.number(peak) + " is below --rate " + Report.number(rate));
      }
      double period = duration(o, "period", duration);
      double quiet = duration(o, "quiet", 180);
      double burst = duration(o, "burst", 30);
      if (period <= 0 || quiet <= 0 || burst <= 0) {
        throw new UsageException("--period, --quiet and --burst must be above 0");
      }
      double serviceMs = real(o, "service-ms", 50, 0);
      String dist = o.getOrDefault("service", "exp");
      ServiceTime service =
          switch (dist) {
            case "exp", "exponential" -> ServiceTime.exponential(serviceMs / 1000);
            case "fixed" -> ServiceTime.fixed(serviceMs / 1000);
            default -> throw new UsageException("--service " + dist + ": expected exp or fixed");
          };
      int deployments = (int) integer(o, "deployments", 1, 1, 10_000_000);
      workload = new Pattern(k, rate, peak, period, quiet, burst, service, deployments, seed);
      plot = (int) integer(o, "plot-deployment", 1, 1, deployments) - 1;
    }
    if (duration <= 0) {
      throw new UsageException("--duration must be above 0");
    }
    int concurrency = (int) integer(o, "concurrency", 1, 1, 1_000_000);
    int utilization = (int) integer(o, "utilization", 70, 1, 100);
    int min = (int) integer(o, "min", 0, 0, 1_000_000);
    int max = (int) integer(o, "max", 0, 0, 1_000_000);
    int initial = (int) integer(o, "initial", 1, 1, 1_000_000);
    if (max > 0 && initial > max) {
      // ScalingPolicy accepts it, but the Autoscaler's initial-scale floor would then never lift.
      throw new UsageException("--initial " + initial + " is above --max " + max);
    }
    ScalingPolicy policy;
    try {
      ScalingPolicy base =
          ScalingPolicy.builder()
              .stableWindow(Duration.ofMillis(Math.round(duration(o, "window", 60) * 1000)))
              .panicWindowPercentage(real(o, "panic-window", 10, 0))
              .panicThresholdPercentage(real(o, "panic-threshold", 200, 0))
              .scaleDownDelay(
                  Duration.ofMillis(Math.round(duration(o, "scale-down-delay", 0) * 1000)))
              .scaleToZeroGracePeriod(
                  Duration.ofMillis(Math.round(duration(o, "grace", 30) * 1000)))
              .build();
      policy = ScalingPolicy.forDeployment(base, true, initial, min, max, utilization, concurrency);
    } catch (IllegalArgumentException e) {
      throw new UsageException("the autoscaling options: " + e.getMessage());
    }
    double start = real(o, "start-seconds", 1.0, 0);
    double jitter = real(o, "start-jitter", 0, 0);
    int fixed = (int) integer(o, "fixed", 0, 1, 1_000_000);
    int threads = (int) integer(o, "threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
    try {
      return new SimulationSpec(
          workload,
          policy,
          duration,
          start,
          jitter,
          o.containsKey("fixed") ? fixed : 0,
          threads,
          plot,
          seed);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static long integer(Map<String, String> o, String name, long def, long min, long max)
      throws UsageException {
    String v = o.get(name);
    if (v == null) {
      return def;
    }
    long n;
    try {
      n = Long.parseLong(v.strip().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " " + v + ": not a whole number");
    }
    if (n < min || n > max) {
      throw new UsageException("--" + name + " " + v + ": must be between " + min + " and " + max);
    }
    return n;
  }

  private static double real(Map<String, String> o, String name, double def, double min)
      throws UsageException {
    String v = o.get(name);
    if (v == null) {
      return def;
    }
    double d;
    try {
      d = Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " " + v + ": not a number");
    }
    if (!(d >= min) || Double.isInfinite(d)) {
      throw new UsageException(
          "--" + name + " " + v + ": must be a finite number, at least " + Report.number(min));
    }
    return d;
  }

  /** Seconds from "90", "90s", "500ms", "15m", "1h", "1d", "1.5h". */
  static double duration(Map<String, String> o, String name, double def) throws UsageException {
    String v = o.get(name);
    if (v == null) {
      return def;
    }
    double seconds = parseDuration(v);
    if (Double.isNaN(seconds)) {
      throw new UsageException(
          "--" + name + " " + v + ": not a duration (e.g. 90s, 15m, 1h, 500ms)");
    }
    return seconds;
  }

  static double parseDuration(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    double unit = 1;
    String number = s;
    if (s.endsWith("ms")) {
      unit = 0.001;
      number = s.substring(0, s.length() - 2);
    } else if (s.endsWith("s")) {
      number = s.substring(0, s.length() - 1);
    } else if (s.endsWith("m")) {
      unit = 60;
      number = s.substring(0, s.length() - 1);
    } else if (s.endsWith("h")) {
      unit = 3600;
      number = s.substring(0, s.length() - 1);
    } else if (s.endsWith("d")) {
      unit = 86400;
      number = s.substring(0, s.length() - 1);
    }
    try {
      double d = Double.parseDouble(number) * unit;
      return d >= 0 && !Double.isInfinite(d) ? d : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
