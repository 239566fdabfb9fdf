package dev.knoe.scoring.codec;

import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.knoe.scoring.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Writes tensor values as JSON, flat (V2 {@code data}) or nested by shape ({@code /score}). */
final class TensorWriter {

  private TensorWriter() {}

  static void flat(JsonGenerator g, Tensor t) throws IOException {
    g.writeStartArray();
    for (long i = 0, n = t.elements(); i < n; i++) {
      value(g, t, (int) i);
    }
    g.writeEndArray();
  }

  static void nested(JsonGenerator g, Tensor t) throws IOException {
    if (t.shape().length == 0) {
      value(g, t, 0);
    } else {
      nested(g, t, 0, 0);
    }
  }

  /**
   * Writes the sub-array at {@code depth} that starts at flat index {@code offset}; returns the
   * next index.
   */
  private static int nested(JsonGenerator g, Tensor t, int depth, int offset) throws IOException {
    long[] shape = t.shape();
    g.writeStartArray();
    if (depth == shape.length - 1) {
      for (int i = 0; i < shape[depth]; i++) {
        value(g, t, offset++);
      }
    } else {
      for (int i = 0; i < shape[depth]; i++) {
        offset = nested(g, t, depth + 1, offset);
      }
    }
    g.writeEndArray();
    return offset;
  }

  private static void value(JsonGenerator g, Tensor t, int i) throws IOException {
    ByteBuffer b = t.data();
    switch (t.type()) {
      case FP32 -> g.writeNumber(b.getFloat(i * 4));
      case FP64 -> g.writeNumber(b.getDouble(i * 8));
      case FP16 -> g.writeNumber(Fp16Conversions.fp16ToFloat(b.getShort(i * 2)));
      case BF16 -> g.writeNumber(Fp16Conversions.bf16ToFloat(b.getShort(i * 2)));
      case INT64 -> g.writeNumber(b.getLong(i * 8));
      case INT32 -> g.writeNumber(b.getInt(i * 4));
      case INT16 -> g.writeNumber(b.getShort(i * 2));
      case INT8 -> g.writeNumber(b.get(i));
      case UINT8 -> g.writeNumber(b.get(i) & 0xFF);
      case UINT16 -> g.writeNumber(b.getShort(i * 2) & 0xFFFF);
      case UINT32 -> g.writeNumber(b.getInt(i * 4) & 0xFFFFFFFFL);
      case UINT64 -> g.writeNumber(Long.toUnsignedString(b.getLong(i * 8)));
      case BOOL -> g.writeBoolean(b.get(i) != 0);
      case BYTES -> g.writeString(t.strings()[i]);
    }
  }
}
