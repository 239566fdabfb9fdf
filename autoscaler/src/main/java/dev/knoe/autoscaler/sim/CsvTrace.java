package dev.knoe.autoscaler.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recorded trace: {@code arrival_seconds,service_seconds[,deployment]} per line. A first line
 * whose first field is not a number is a header; blank lines and lines starting with {@code #} are
 * skipped. Lines without the third column belong to a deployment named after the file (its name
 * without directory and extension). Deployments are numbered in the order they first appear; each
 * one's requests are sorted by arrival (stable), so the file need not be. Held in memory as
 * primitive arrays.
 */
public final class CsvTrace implements Workload {

  private static final String COLUMNS = "arrival_seconds,service_seconds[,deployment]";

  private final String source;
  private final List<String> names;
  private final double[][] arrivals;
  private final double[][] services;

  private CsvTrace(String source, List<String> names, double[][] arrivals, double[][] services) {
    this.source = source;
    this.names = names;
    this.arrivals = arrivals;
    this.services = services;
  }

  public static CsvTrace read(Path file) throws IOException, TraceFormatException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(file.toString(), r);
    }
  }

  /** Reads a trace; {@code source} names it in error messages. */
  public static CsvTrace read(String source, Reader reader)
      throws IOException, TraceFormatException {
    BufferedReader r = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
    Map<String, Column> byName = new LinkedHashMap<>();
    String defaultName =
        source
            .substring(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1)
            .replaceFirst("\\.[^.]*$", "");
    if (defaultName.isEmpty()) {
      defaultName = "default";
    }
    String line;
    int lineNo = 0;
    boolean first = true;
    while ((line = r.readLine()) != null) {
      lineNo++;
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] f = trimmed.split(",", -1);
      if (first) {
        first = false;
        if (!isNumber(f[0].strip())) {
          continue; // header
        }
      }
      if (f.length < 2 || f.length > 3) {
        throw new TraceFormatException(
            source
                + " line "
                + lineNo
                + ": expected 2 or 3 columns ("
                + COLUMNS
                + "), found "
                + f.length
                + ": '"
                + trimmed
                + "'");
      }
      double arrival = number(source, lineNo, 1, "arrival_seconds", f[0]);
      double service = number(source, lineNo, 2, "service_seconds", f[1]);
      String name = f.length == 3 ? f[2].strip() : defaultName;
      if (name.isEmpty()) {
        throw new TraceFormatException(
            source + " line " + lineNo + ", column 3 (deployment): empty name");
      }
      byName.computeIfAbsent(name, n -> new Column()).add(arrival, service);
    }
    if (byName.isEmpty()) {
      throw new TraceFormatException(
          source + ": no request in the trace (expected lines of " + COLUMNS + ")");
    }
    List<String> names = new ArrayList<>(byName.keySet());
    double[][] arrivals = new double[names.size()][];
    double[][] services = new double[names.size()][];
    for (int i = 0; i < names.size(); i++) {
      Column c = byName.get(names.get(i));
      c.sort();
      arrivals[i] = Arrays.copyOf(c.arrivals, c.size);
      services[i] = Arrays.copyOf(c.services, c.size);
    }
    return new CsvTrace(source, List.copyOf(names), arrivals, services);
  }

  /**
   * Writes {@code workload}'s requests that arrive before {@code durationSeconds} as a trace this
   * class reads back: a header, then {@code arrival,service} (milliseconds precision, service at
   * least 0.1 ms) and the deployment's name when there are several. Returns the requests written.
   */
  public static long write(Workload workload, double durationSeconds, java.io.Writer out)
      throws IOException {
    boolean many = workload.deployments() > 1;
    out.write(
        many
            ? "arrival_seconds,service_seconds,deployment\n"
            : "arrival_seconds,service_seconds\n");
    long n = 0;
    StringBuilder line = new StringBuilder();
    for (int d = 0; d < workload.deployments(); d++) {
      ArrivalSource s = workload.open(d);
      while (s.next() && s.arrival() < durationSeconds) {
        line.setLength(0);
        line.append(
            String.format(
                java.util.Locale.ROOT, "%.3f,%.4f", s.arrival(), Math.max(0.0001, s.service())));
        if (many) {
          line.append(',').append(workload.name(d));
        }
        line.append('\n');
        out.write(line.toString());
        n++;
      }
    }
    return n;
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static double number(String source, int line, int column, String name, String field)
      throws TraceFormatException {
    String s = field.strip();
    double v;
    try {
      v = Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new TraceFormatException(
          source
              + " line "
              + line
              + ", column "
              + column
              + " ("
              + name
              + "): '"
              + s
              + "' is not a number");
    }
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new TraceFormatException(
          source
              + " line "
              + line
              + ", column "
              + column
              + " ("
              + name
              + "): "
              + s
              + " must be a finite number of seconds, at least 0");
    }
    return v;
  }

  @Override
  public int deployments() {
    return names.size();
  }

  @Override
  public String name(int i) {
    return names.get(i);
  }

  /** The index of the deployment called {@code name}, or -1. */
  public int indexOf(String name) {
    return names.indexOf(name);
  }

  /** Requests of deployment {@code i}. */
  public int requests(int i) {
    return arrivals[i].length;
  }

  /** The latest arrival over all deployments, seconds. */
  public double lastArrival() {
    double last = 0;
    for (double[] a : arrivals) {
      if (a.length > 0) {
        last = Math.max(last, a[a.length - 1]);
      }
    }
    return last;
  }

  @Override
  public ArrivalSource open(int i) {
    double[] a = arrivals[i];
    double[] s = services[i];
    return new ArrivalSource() {
      private int at = -1;

      @Override
      public boolean next() {
        if (at + 1 >= a.length) {
          return false;
        }
        at++;
        return true;
      }

      @Override
      public double arrival() {
        return a[at];
      }

      @Override
      public double service() {
        return s[at];
      }
    };
  }

  @Override
  public String describe() {
    long total = 0;
    for (double[] a : arrivals) {
      total += a.length;
    }
    return "trace "
        + source
        + " ("
        + total
        + " requests, "
        + names.size()
        + (names.size() == 1 ? " deployment)" : " deployments)");
  }

  /** One deployment's requests while reading. */
  private static final class Column {
    double[] arrivals = new double[256];
    double[] services = new double[256];
    int size;
    boolean sorted = true;

    void add(double arrival, double service) {
      if (size == arrivals.length) {
        arrivals = Arrays.copyOf(arrivals, size * 2);
        services = Arrays.copyOf(services, size * 2);
      }
      if (size > 0 && arrival < arrivals[size - 1]) {
        sorted = false;
      }
      arrivals[size] = arrival;
      services[size] = service;
      size++;
    }

    void sort() {
      if (sorted) {
        return;
      }
      Integer[] order = new Integer[size];
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (x, y) -> Double.compare(arrivals[x], arrivals[y])); // stable
      double[] a = new double[size];
      double[] s = new double[size];
      for (int i = 0; i < size; i++) {
        a[i] = arrivals[order[i]];
        s[i] = services[order[i]];
      }
      arrivals = a;
      services = s;
      sorted = true;
    }
  }
}
