package dev.knoe.scoring.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A dense tensor: its element type, its shape and its values. Numeric and boolean values live in a
 * native-order direct buffer (so ONNX Runtime can use them without a copy); strings in an array.
 *
 * @param data native-order buffer of {@code elements() * type.size} bytes, null for BYTES
 * @param strings the values of a BYTES tensor, null otherwise
 */
public record Tensor(DType type, long[] shape, ByteBuffer data, String[] strings) {

  public Tensor {
    if (type.isString() != (strings != null) || type.isString() == (data != null)) {
      throw new IllegalArgumentException(
          "a " + type + " tensor holds " + (type.isString() ? "strings" : "a buffer"));
    }
  }

  public static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  public long elements() {
    return elements(shape);
  }

  /** Rows along the first (batch) dimension; 1 for a scalar. */
  public long rows() {
    return shape.length == 0 ? 1 : shape[0];
  }

  /** The rows {@code [from, to)} as a view sharing this tensor's memory. */
  public Tensor rows(long from, long to) {
    long[] s = shape.clone();
    s[0] = to - from;
    long perRow = shape[0] == 0 ? 0 : elements() / shape[0];
    if (type.isString()) {
      return new Tensor(
          type, s, null, Arrays.copyOfRange(strings, (int) (from * perRow), (int) (to * perRow)));
    }
    int bytesPerRow = (int) (perRow * type.size);
    ByteBuffer view =
        data.slice((int) from * bytesPerRow, (int) (to - from) * bytesPerRow)
            .order(ByteOrder.nativeOrder());
    return new Tensor(type, s, view, null);
  }

  public static ByteBuffer allocate(long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor of " + bytes + " bytes is larger than 2 GiB");
    }
    return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
  }

  @Override
  public String toString() {
    return type + Arrays.toString(shape);
  }
}
