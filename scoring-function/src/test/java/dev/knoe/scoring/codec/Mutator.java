package dev.knoe.scoring.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bad inputs made from good ones: each call applies one to three mutations, drawn from a seeded
 * {@link Random} so a failure is replayed by its seed. The mutations are those a careless client or
 * an attacker would try on a JSON body: truncations, deleted and repeated slices, a value swapped
 * for one of another type, numbers at the edges of every datatype, strange unicode, a duplicated
 * key, deep nesting and long arrays (both bounded: a small input must not cost much).
 */
final class Mutator {

  /** Values swapped in for a value: other types, edge numbers, odd strings. */
  static final List<String> VALUES =
      List.of(
          "null",
          "true",
          "false",
          "0",
          "-0",
          "-1",
          "1e400",
          "-1e400",
          "4.9e-325",
          "1.7976931348623157e308",
          "65505",
          "3.4028236e38",
          "127",
          "128",
          "255",
          "256",
          "-129",
          "2147483648",
          "9223372036854775807",
          "9223372036854775808",
          "-9223372036854775809",
          "123456789012345678901234567890",
          "0.1e-2147483648",
          "1E+2147483647",
          "\"\"",
          "\"x\"",
          "\"1\"",
          "\"NaN\"",
          "\"\\u0000\"",
          "\"\\ud800\"",
          "\"\\udc00\\ud800\"",
          "\"é😀\u202e\"",
          "[]",
          "[[]]",
          "[[], []]",
          "{}",
          "{\"\": null}",
          "[1, [2]]",
          "[[1], 2]");

  /** Keys a codec looks for, so mutated objects reach its branches. */
  static final List<String> KEYS =
      List.of(
          "data",
          "inputs",
          "outputs",
          "name",
          "shape",
          "datatype",
          "parameters",
          "binary_data_size",
          "binary_data",
          "binary_data_output",
          "id",
          "x",
          "y",
          "ids",
          "flags",
          "names",
          "half",
          "raw");

  /** Datatype names, right and wrong. */
  static final List<String> DATATYPES =
      List.of(
          "FP32", "FP16", "BF16", "FP64", "INT64", "INT8", "UINT8", "UINT16", "UINT64", "BOOL",
          "BYTES", "fp32", "", "STRING");

  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
  private static final Pattern STRING = Pattern.compile("\"[^\"\\\\]*+(?:\\\\.[^\"\\\\]*+)*+\"");

  private final Random random;

  Mutator(Random random) {
    this.random = random;
  }

  byte[] mutate(byte[] seed) {
    byte[] out = seed;
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      out = once(out);
    }
    return out;
  }

  private byte[] once(byte[] in) {
    String s = new String(in, StandardCharsets.UTF_8);
    return switch (random.nextInt(13)) {
      case 0 -> truncate(in);
      case 1 -> deleteSlice(in);
      case 2 -> repeatSlice(in);
      case 3 -> flipByte(in);
      case 4 -> bytes(replaceMatch(s, NUMBER, pick(VALUES)));
      case 5 -> bytes(replaceMatch(s, STRING, pick(VALUES)));
      case 6 -> bytes(replaceMatch(s, STRING, quoted(pick(KEYS))));
      case 7 -> bytes(replaceMatch(s, STRING, quoted(pick(DATATYPES))));
      case 8 -> bytes(duplicateKey(s));
      case 9 -> bytes(nest(s));
      case 10 -> bytes(longArray(s));
      case 11 -> bytes(insert(s, pick(List.of(",", ":", "]", "}", "[", "{", "\"", "\\", "/*"))));
      default -> bytes(replaceMatch(s, NUMBER, edgeNumber()));
    };
  }

  private byte[] truncate(byte[] in) {
    return java.util.Arrays.copyOf(in, in.length == 0 ? 0 : random.nextInt(in.length));
  }

  private byte[] deleteSlice(byte[] in) {
    if (in.length < 2) {
      return in;
    }
    int from = random.nextInt(in.length);
    int to = Math.min(in.length, from + 1 + random.nextInt(16));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(in, 0, from);
    out.write(in, to, in.length - to);
    return out.toByteArray();
  }

  private byte[] repeatSlice(byte[] in) {
    if (in.length < 2) {
      return in;
    }
    int from = random.nextInt(in.length);
    int to = Math.min(in.length, from + 1 + random.nextInt(32));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(in, 0, to);
    for (int i = random.nextInt(4); i >= 0; i--) {
      out.write(in, from, to - from);
    }
    out.write(in, to, in.length - to);
    return out.toByteArray();
  }

  private byte[] flipByte(byte[] in) {
    if (in.length == 0) {
      return in;
    }
    byte[] out = in.clone();
    int at = random.nextInt(out.length);
    // Half the time a byte that is never valid UTF-8 on its own.
    out[at] = random.nextBoolean() ? (byte) (0x80 | random.nextInt(0x80)) : (byte) random.nextInt();
    return out;
  }

  private String replaceMatch(String s, Pattern pattern, String by) {
    Matcher m = pattern.matcher(s);
    int count = 0;
    while (m.find()) {
      count++;
    }
    if (count == 0) {
      return s;
    }
    int target = random.nextInt(count);
    m.reset();
    for (int i = 0; m.find(); i++) {
      if (i == target) {
        return s.substring(0, m.start()) + by + s.substring(m.end());
      }
    }
    return s;
  }

  /** Repeats the first {@code "key": value} pair whose value is a scalar. */
  private String duplicateKey(String s) {
    Matcher m = Pattern.compile("\"[^\"]*+\"\\s*+:\\s*+(?:\"[^\"]*+\"|[-\\w.+]++)").matcher(s);
    if (!m.find()) {
      return s;
    }
    return s.substring(0, m.end()) + ", " + m.group() + s.substring(m.end());
  }

  /** Wraps a number in up to 20,000 arrays or objects: deep, yet a few tens of kilobytes. */
  private String nest(String s) {
    int depth = random.nextBoolean() ? 1 + random.nextInt(20) : 1 + random.nextInt(20_000);
    boolean arrays = random.nextInt(4) > 0;
    String open = arrays ? "[" : "{\"x\":";
    String close = arrays ? "]" : "}";
    return replaceMatch(s, NUMBER, open.repeat(depth) + "1" + close.repeat(depth));
  }

  /** A number replaced by a flat array of up to 50,000 values (a few hundred kilobytes). */
  private String longArray(String s) {
    int n = random.nextInt(50_000);
    String item = pick(List.of("0", "1.5", "true", "\"a\"", "[]"));
    return replaceMatch(s, NUMBER, "[" + (item + ",").repeat(n) + item + "]");
  }

  private String insert(String s, String what) {
    int at = s.isEmpty() ? 0 : random.nextInt(s.length());
    return s.substring(0, at) + what + s.substring(at);
  }

  private String edgeNumber() {
    long[] edges = {
      Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, 1 << 20
    };
    return switch (random.nextInt(3)) {
      case 0 -> Long.toString(edges[random.nextInt(edges.length)]);
      case 1 -> Double.toString(random.nextGaussian() * Math.pow(10, random.nextInt(700) - 350));
      default -> Long.toString(random.nextLong());
    };
  }

  private String pick(List<String> from) {
    return from.get(random.nextInt(from.size()));
  }

  private static String quoted(String s) {
    return "\"" + s + "\"";
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
