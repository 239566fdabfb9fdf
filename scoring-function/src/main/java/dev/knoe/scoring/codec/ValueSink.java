package dev.knoe.scoring.codec;

import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.knoe.scoring.ScoringException;
import dev.knoe.scoring.tensor.DType;
import dev.knoe.scoring.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Collects the scalar values of one tensor, as the parser meets them, into a growing primitive
 * array of the tensor's element type; {@link #finish} copies them into a direct buffer in one bulk
 * put. Range and type are checked per value so the error names the input and the value.
 */
abstract class ValueSink {

  final String input;
  final DType type;
  int count;

  ValueSink(String input, DType type) {
    this.input = input;
    this.type = type;
  }

  static ValueSink of(String input, DType type, int expected) {
    int capacity = Math.max(16, Math.min(expected, 1 << 24));
    return switch (type) {
      case FP32 -> new Floats(input, type, capacity);
      case FP64 -> new Doubles(input, type, capacity);
      case FP16, BF16 -> new Halves(input, type, capacity);
      case BOOL -> new Bools(input, type, capacity);
      case BYTES -> new Strings(input, type, capacity);
      case INT8, UINT8, INT16, INT32, INT64 -> new Integers(input, type, capacity);
      case UINT16, UINT32, UINT64 ->
          throw ScoringException.badInput(
              "input '%s' is %s, which ONNX Runtime's Java API cannot carry", input, type);
    };
  }

  /** Adds the value at the parser's current (scalar) token. */
  abstract void add(JsonParser p) throws IOException;

  abstract Tensor finish(long[] shape);

  ScoringException wrong(JsonParser p) throws IOException {
    return ScoringException.badInput(
        "input '%s' is %s, but the request holds %s", input, type, describe(p));
  }

  /**
   * A number the element type cannot hold (1e400 or 3.5e38 as FP32, 70000 as FP16, 300 as UINT8):
   * refused rather than stored as infinity or wrapped. The index counts elements in row-major order
   * from 0, as the flattened tensor holds them.
   */
  ScoringException outOfRange(JsonParser p, String range) throws IOException {
    return ScoringException.badInput(
        "input '%s' is %s, the value %s at element %d is out of range %s",
        input, type, abbreviate(p.getText()), count, range);
  }

  static String describe(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    return switch (t) {
      case VALUE_STRING -> "the string \"" + abbreviate(p.getText()) + "\"";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + abbreviate(p.getText());
      case VALUE_TRUE, VALUE_FALSE -> "the boolean " + p.getText();
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      default -> t.toString();
    };
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  private static final class Floats extends ValueSink {
    private float[] values;

    Floats(String input, DType type, int capacity) {
      super(input, type);
      values = new float[capacity];
    }

    @Override
    void add(JsonParser p) throws IOException {
      JsonToken t = p.currentToken();
      if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
        throw wrong(p);
      }
      if (count == values.length) {
        values = Arrays.copyOf(values, count * 2);
      }
      float v = p.getFloatValue();
      if (Float.isInfinite(v)) {
        throw outOfRange(p, "[-" + Float.MAX_VALUE + ", " + Float.MAX_VALUE + "]");
      }
      values[count++] = v;
    }

    @Override
    Tensor finish(long[] shape) {
      ByteBuffer data = Tensor.allocate(4L * count);
      data.asFloatBuffer().put(values, 0, count);
      return new Tensor(type, shape, data, null);
    }
  }

  private static final class Doubles extends ValueSink {
    private double[] values;

    Doubles(String input, DType type, int capacity) {
      super(input, type);
      values = new double[capacity];
    }

    @Override
    void add(JsonParser p) throws IOException {
      JsonToken t = p.currentToken();
      if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
        throw wrong(p);
      }
      if (count == values.length) {
        values = Arrays.copyOf(values, count * 2);
      }
      double v = p.getDoubleValue();
      if (Double.isInfinite(v)) {
        throw outOfRange(p, "[-" + Double.MAX_VALUE + ", " + Double.MAX_VALUE + "]");
      }
      values[count++] = v;
    }

    @Override
    Tensor finish(long[] shape) {
      ByteBuffer data = Tensor.allocate(8L * count);
      data.asDoubleBuffer().put(values, 0, count);
      return new Tensor(type, shape, data, null);
    }
  }

  /** FP16 and BF16: sent as JSON numbers, stored as their 16-bit patterns. */
  private static final class Halves extends ValueSink {
    private short[] values;

    Halves(String input, DType type, int capacity) {
      super(input, type);
      values = new short[capacity];
    }

    @Override
    void add(JsonParser p) throws IOException {
      JsonToken t = p.currentToken();
      if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
        throw wrong(p);
      }
      if (count == values.length) {
        values = Arrays.copyOf(values, count * 2);
      }
      float f = p.getFloatValue();
      short bits =
          type == DType.FP16 ? Fp16Conversions.floatToFp16(f) : Fp16Conversions.floatToBf16(f);
      float back =
          type == DType.FP16
              ? Fp16Conversions.fp16ToFloat(bits)
              : Fp16Conversions.bf16ToFloat(bits);
      if (Float.isInfinite(back)) {
        throw outOfRange(
            p, type == DType.FP16 ? "[-65504.0, 65504.0]" : "[-3.3895314E38, 3.3895314E38]");
      }
      values[count++] = bits;
    }

    @Override
    Tensor finish(long[] shape) {
      ByteBuffer data = Tensor.allocate(2L * count);
      data.asShortBuffer().put(values, 0, count);
      return new Tensor(type, shape, data, null);
    }
  }

  private static final class Bools extends ValueSink {
    private byte[] values;

    Bools(String input, DType type, int capacity) {
      super(input, type);
      values = new byte[capacity];
    }

    @Override
    void add(JsonParser p) throws IOException {
      JsonToken t = p.currentToken();
      if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
        throw wrong(p);
      }
      if (count == values.length) {
        values = Arrays.copyOf(values, count * 2);
      }
      values[count++] = (byte) (t == JsonToken.VALUE_TRUE ? 1 : 0);
    }

    @Override
    Tensor finish(long[] shape) {
      ByteBuffer data = Tensor.allocate(count);
      data.put(values, 0, count).flip();
      return new Tensor(type, shape, data, null);
    }
  }

  private static final class Strings extends ValueSink {
    private String[] values;

    Strings(String input, DType type, int capacity) {
      super(input, type);
      values = new String[capacity];
    }

    @Override
    void add(JsonParser p) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        throw wrong(p);
      }
      if (count == values.length) {
        values = Arrays.copyOf(values, count * 2);
      }
      values[count++] = p.getText();
    }

    @Override
    Tensor finish(long[] shape) {
      return new Tensor(type, shape, null, Arrays.copyOf(values, count));
    }
  }

  /** INT8..INT64 and UINT8: exact integers only, range-checked for the element type. */
  private static final class Integers extends ValueSink {
    private long[] values;
    private final long min;
    private final long max;

    Integers(String input, DType type, int capacity) {
      super(input, type);
      values = new long[capacity];
      switch (type) {
        case INT8 -> {
          min = Byte.MIN_VALUE;
          max = Byte.MAX_VALUE;
        }
        case UINT8 -> {
          min = 0;
          max = 255;
        }
        case INT16 -> {
          min = Short.MIN_VALUE;
          max = Short.MAX_VALUE;
        }
        case INT32 -> {
          min = Integer.MIN_VALUE;
          max = Integer.MAX_VALUE;
        }
        default -> {
          min = Long.MIN_VALUE;
          max = Long.MAX_VALUE;
        }
      }
    }

    @Override
    void add(JsonParser p) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
        throw wrong(p);
      }
      if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw outOfRange(p, "[" + min + ", " + max + "]");
      }
      long v = p.getLongValue();
      if (v < min || v > max) {
        throw outOfRange(p, "[" + min + ", " + max + "]");
      }
      if (count == values.length) {
        values = Arrays.copyOf(values, count * 2);
      }
      values[count++] = v;
    }

    @Override
    Tensor finish(long[] shape) {
      ByteBuffer data = Tensor.allocate((long) type.size * count);
      switch (type) {
        case INT64 -> data.asLongBuffer().put(values, 0, count);
        case INT32 -> {
          var b = data.asIntBuffer();
          for (int i = 0; i < count; i++) b.put(i, (int) values[i]);
        }
        case INT16 -> {
          var b = data.asShortBuffer();
          for (int i = 0; i < count; i++) b.put(i, (short) values[i]);
        }
        default -> {
          for (int i = 0; i < count; i++) data.put(i, (byte) values[i]);
        }
      }
      return new Tensor(type, shape, data, null);
    }
  }
}
