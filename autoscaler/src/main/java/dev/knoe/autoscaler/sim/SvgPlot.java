package dev.knoe.autoscaler.sim;

import java.util.Locale;

/**
 * Draws one deployment's {@link Timeline} as a standalone SVG (hand-written, no library): on top
 * the load (arrivals per second, requests in flight averaged over each second, and the autoscaler's
 * stable-window average at each decision, with a red mark under each second that had requests
 * waiting for a cold start), below the instances (desired, ready, and the fixed size it is compared
 * with), on a shared time axis. Long timelines are grouped into bins of several seconds: rates and
 * averages are averaged over a bin, instance counts show the bin's maximum.
 */
public final class SvgPlot {

  private static final int WIDTH = 1000;
  private static final int LEFT = 70;
  private static final int RIGHT = 30;
  private static final int PLOT_W = WIDTH - LEFT - RIGHT;
  private static final int TOP1 = 104;
  private static final int H1 = 220;
  private static final int TOP2 = TOP1 + H1 + 60;
  private static final int H2 = 200;
  private static final int HEIGHT = TOP2 + H2 + 62;

  private static final String ARRIVALS = "#c7d3e0";
  private static final String IN_FLIGHT = "#1f5fa8";
  private static final String STABLE = "#e07b00";
  private static final String COLD = "#d62728";
  private static final String READY = "#2ca02c";
  private static final String DESIRED = "#e07b00";
  private static final String FIXED = "#555555";

  private SvgPlot() {}

  /**
   * @param title the first line of the title
   * @param subtitle up to two smaller lines (the parameters), separated by a newline; may be empty
   */
  public static String render(Timeline t, String title, String subtitle) {
    int seconds = Math.max(1, t.seconds());
    int bin = Math.max(1, (int) Math.ceil(seconds / (double) PLOT_W));
    int bins = (seconds + bin - 1) / bin;
    double[] arrivals = new double[bins];
    double[] inFlight = new double[bins];
    double[] stable = new double[bins];
    int[] desired = new int[bins];
    int[] ready = new int[bins];
    int[] cold = new int[bins];
    for (int b = 0; b < bins; b++) {
      int from = b * bin;
      int to = Math.min(seconds, from + bin);
      double a = 0;
      double f = 0;
      double st = 0;
      int stN = 0;
      for (int s = from; s < to && s < t.seconds(); s++) {
        a += t.arrivals[s];
        f += t.inFlight[s];
        if (!Double.isNaN(t.stable[s])) {
          st += t.stable[s];
          stN++;
        }
        desired[b] = Math.max(desired[b], t.desired[s]);
        ready[b] = Math.max(ready[b], t.ready[s]);
        cold[b] += t.coldWaited[s];
      }
      arrivals[b] = a / (to - from);
      inFlight[b] = f / (to - from);
      stable[b] = stN > 0 ? st / stN : Double.NaN;
    }
    double loadMax = 1;
    for (int b = 0; b < bins; b++) {
      loadMax = Math.max(loadMax, Math.max(arrivals[b], inFlight[b]));
      if (!Double.isNaN(stable[b])) {
        loadMax = Math.max(loadMax, stable[b]);
      }
    }
    int instMax = Math.max(1, t.fixedSize());
    for (int b = 0; b < bins; b++) {
      instMax = Math.max(instMax, Math.max(desired[b], ready[b]));
    }
    double loadTop = niceTop(loadMax);
    double instTop = Math.max(2, niceTop(instMax));

    StringBuilder s = new StringBuilder(64 * 1024);
    s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.append(
        f(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
            WIDTH, HEIGHT, WIDTH, HEIGHT));
    s.append("<title>").append(escape(title)).append("</title>\n");
    s.append(
        f("<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>\n", WIDTH, HEIGHT));
    s.append(
        f(
            "<text x=\"%d\" y=\"26\" font-size=\"17\" font-weight=\"bold\">%s</text>\n",
            LEFT, escape(title)));
    int lineY = 44;
    for (String line : subtitle.split("\n")) {
      if (!line.isEmpty() && lineY <= 58) {
        s.append(
            f(
                "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#444\">%s</text>\n",
                LEFT, lineY, escape(line)));
        lineY += 14;
      }
    }
    String binNote =
        bin > 1 ? " (" + bin + " s bins: rates averaged, instances at their maximum)" : "";

    // Panel 1: load.
    panel(s, TOP1, H1, loadTop, "requests", seconds, "Load" + binNote);
    s.append(
        f(
            "<path id=\"arrivals\" d=\"%s\" fill=\"%s\" stroke=\"none\"/>\n",
            area(arrivals, bin, bins, seconds, TOP1, H1, loadTop), ARRIVALS));
    s.append(
        f(
            "<path id=\"in-flight\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.3\"/>\n",
            step(inFlight, bin, bins, seconds, TOP1, H1, loadTop), IN_FLIGHT));
    s.append(
        f(
            "<path id=\"stable\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\""
                + " stroke-dasharray=\"5 3\"/>\n",
            points(stable, bin, bins, seconds, TOP1, H1, loadTop), STABLE));
    s.append("<g id=\"cold-waited\">");
    for (int b = 0; b < bins; b++) {
      if (cold[b] > 0) {
        double x = x(b * bin + bin / 2.0, seconds);
        s.append(
            f(
                "<rect x=\"%.1f\" y=\"%d\" width=\"2\" height=\"8\" fill=\"%s\"/>",
                x - 1, TOP1 + H1 - 8, COLD));
      }
    }
    s.append("</g>\n");
    legend(
        s,
        TOP1 - 10,
        new String[][] {
          {"area", ARRIVALS, "arrivals per second"},
          {"line", IN_FLIGHT, "requests in flight (1 s average, queued + served)"},
          {"dash", STABLE, "stable-window average"},
          {"mark", COLD, "waited for a cold start"}
        });

    // Panel 2: instances.
    panel(s, TOP2, H2, instTop, "instances", seconds, "Instances" + binNote);
    double[] d = new double[bins];
    double[] r = new double[bins];
    for (int b = 0; b < bins; b++) {
      d[b] = desired[b];
      r[b] = ready[b];
    }
    double fy = y(t.fixedSize(), TOP2, H2, instTop);
    s.append(
        f(
            "<line id=\"fixed\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.2\""
                + " stroke-dasharray=\"2 3\"/>\n",
            LEFT, fy, LEFT + PLOT_W, fy, FIXED));
    s.append(
        f(
            "<path id=\"ready\" d=\"%s\" fill=\"%s\" fill-opacity=\"0.25\" stroke=\"%s\" stroke-width=\"1.5\"/>\n",
            area(r, bin, bins, seconds, TOP2, H2, instTop), READY, READY));
    s.append(
        f(
            "<path id=\"desired\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\""
                + " stroke-dasharray=\"5 3\"/>\n",
            step(d, bin, bins, seconds, TOP2, H2, instTop), DESIRED));
    legend(
        s,
        TOP2 - 10,
        new String[][] {
          {"area", READY, "ready"},
          {"dash", DESIRED, "desired (the decision, every 2 s)"},
          {"dot", FIXED, "fixed deployment (" + t.fixedSize() + ")"}
        });

    // Time axis label.
    s.append(
        f(
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time (%s)</text>\n",
            LEFT + PLOT_W / 2,
            TOP2 + H2 + 42,
            seconds > 3 * 3600 ? "hours" : seconds > 180 ? "minutes" : "seconds"));
    s.append("</svg>\n");
    return s.toString();
  }

  /** Frame, grid, y ticks, x ticks and the panel's name. */
  private static void panel(
      StringBuilder s, int top, int h, double yTop, String yLabel, int seconds, String name) {
    s.append(
        f(
            "<g class=\"panel\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n",
            LEFT, top, PLOT_W, h));
    double step = niceStep(yTop / 5);
    for (double v = 0; v <= yTop + 1e-9; v += step) {
      double y = y(v, top, h, yTop);
      s.append(
          f(
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>",
              LEFT, y, LEFT + PLOT_W, y));
      s.append(
          f(
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\">%s</text>\n",
              LEFT - 6, y, Report.number(v)));
    }
    double xStep = timeStep(seconds);
    for (double t = 0; t <= seconds + 1e-9; t += xStep) {
      double x = x(t, seconds);
      s.append(
          f(
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>",
              x, top + h, x, top + h + 5));
      s.append(
          f(
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
              x, top + h + 18, timeLabel(t, seconds)));
    }
    s.append(
        f(
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 %d %d)\">%s</text>\n",
            18, top + h / 2, 18, top + h / 2, escape(yLabel)));
    s.append(
        f(
            "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text></g>\n",
            LEFT, top - 26, escape(name)));
  }

  /** One row of legend entries above a panel, wrapping to a second row when the first is full. */
  private static void legend(StringBuilder s, int y, String[][] items) {
    double x = LEFT;
    int row = y;
    s.append("<g class=\"legend\" font-size=\"11\">");
    for (String[] it : items) {
      String kind = it[0];
      String color = it[1];
      double w = 21 + it[2].length() * 5.8 + 16;
      if (x > LEFT && x + w > LEFT + PLOT_W) {
        x =
            LEFT
                + PLOT_W
                    / 2.0; // a second row would hit the panel: continue on the right of the title
        // row
        row = y - 16;
      }
      switch (kind) {
        case "area" ->
            s.append(
                f(
                    "<rect x=\"%.1f\" y=\"%d\" width=\"16\" height=\"9\" fill=\"%s\"/>",
                    x, row - 8, color));
        case "mark" ->
            s.append(
                f(
                    "<rect x=\"%.1f\" y=\"%d\" width=\"3\" height=\"10\" fill=\"%s\"/>",
                    x + 6, row - 9, color));
        default ->
            s.append(
                f(
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>",
                    x,
                    row - 4,
                    x + 16,
                    row - 4,
                    color,
                    kind.equals("dash")
                        ? " stroke-dasharray=\"5 3\""
                        : kind.equals("dot") ? " stroke-dasharray=\"2 3\"" : ""));
      }
      s.append(f("<text x=\"%.1f\" y=\"%d\">%s</text>", x + 21, row, escape(it[2])));
      x += w;
    }
    s.append("</g>\n");
  }

  private static double x(double t, int seconds) {
    return LEFT + PLOT_W * t / seconds;
  }

  private static double y(double v, int top, int h, double yTop) {
    return top + h - h * Math.min(v, yTop) / yTop;
  }

  /** A step line: each bin's value held over the bin. */
  private static String step(
      double[] v, int bin, int bins, int seconds, int top, int h, double yTop) {
    StringBuilder p = new StringBuilder(bins * 24);
    for (int b = 0; b < bins; b++) {
      double x0 = x(b * bin, seconds);
      double x1 = x(Math.min(seconds, (b + 1) * bin), seconds);
      double y = y(v[b], top, h, yTop);
      p.append(b == 0 ? 'M' : 'L')
          .append(f("%.1f %.1f", x0, y))
          .append('L')
          .append(f("%.1f %.1f", x1, y));
    }
    return p.toString();
  }

  /** A filled step area down to 0. */
  private static String area(
      double[] v, int bin, int bins, int seconds, int top, int h, double yTop) {
    return f("M%.1f %d", x(0, seconds), top + h)
        + step(v, bin, bins, seconds, top, h, yTop).replaceFirst("^M", "L")
        + f("L%.1f %dZ", x(seconds, seconds), top + h);
  }

  /**
   * A line through the bins that have a value (the middle of each), broken where they have none.
   */
  private static String points(
      double[] v, int bin, int bins, int seconds, int top, int h, double yTop) {
    StringBuilder p = new StringBuilder();
    boolean pen = false;
    for (int b = 0; b < bins; b++) {
      if (Double.isNaN(v[b])) {
        continue;
      }
      p.append(pen ? 'L' : 'M')
          .append(
              f("%.1f %.1f", x(Math.min(seconds, (b + 1) * bin), seconds), y(v[b], top, h, yTop)));
      pen = true;
    }
    return p.length() == 0 ? "M0 0" : p.toString();
  }

  static double niceTop(double max) {
    double step = niceStep(max / 5);
    return Math.max(step, Math.ceil(max / step - 1e-9) * step);
  }

  static double niceStep(double raw) {
    if (!(raw > 0)) {
      return 1;
    }
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double n = raw / mag;
    double step = n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10;
    return Math.max(step * mag, 1e-9);
  }

  private static final double[] TIME_STEPS = {
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
    172800, 604800
  };

  private static double timeStep(int seconds) {
    for (double st : TIME_STEPS) {
      if (seconds / st <= 12) {
        return st;
      }
    }
    return Math.ceil(seconds / 12.0 / 86400) * 86400;
  }

  private static String timeLabel(double t, int seconds) {
    if (seconds > 3 * 3600) {
      return Report.number(t / 3600);
    }
    if (seconds > 180) {
      return Report.number(Math.round(t / 60 * 100) / 100.0);
    }
    return Report.number(t);
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  /** XML text and attribute escaping. */
  static String escape(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> {
          if (c >= 0x20 || c == '\t' || c == '\n') {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
