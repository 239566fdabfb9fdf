package dev.knoe.scoring.codec;

import dev.knoe.scoring.ScoringException;
import dev.knoe.scoring.model.TensorSpec;
import dev.knoe.scoring.tensor.DType;
import dev.knoe.scoring.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary tensor data extension of V2 over HTTP (Triton's {@code binary_tensor_data}, which
 * tritonclient and KServe's clients speak): the body is the JSON inference header, {@value #HEADER}
 * bytes long, then the raw tensors in the order the JSON names them, little-endian, row-major,
 * unpadded; a BOOL element is one byte 0 or 1, a BYTES element a 4-byte little-endian length and
 * that many bytes.
 *
 * <p>Little-endian is also the native order of every host ONNX Runtime ships for (x86-64, aarch64),
 * so a numeric tensor is a slice of the request's binary part, handed to the model as it is, and a
 * result buffer goes out as it is.
 */
public final class BinaryData {

  /** The request and response header giving the length of the JSON part of the body. */
  public static final String HEADER = "Inference-Header-Content-Length";

  private BinaryData() {}

  /**
   * The binary part of a request body, handed out input by input in the order the JSON names them.
   */
  static final class Reader {
    private final ByteBuffer data;
    private final int headerLength;
    private int at;

    /**
     * @param data the bytes after the JSON header, a native-order direct buffer
     */
    Reader(ByteBuffer data, int headerLength) {
      this.data = data;
      this.headerLength = headerLength;
    }

    /** The next {@code size} bytes as the tensor {@code spec} of {@code shape}. */
    Tensor next(TensorSpec spec, long[] shape, long size) {
      long left = data.limit() - at;
      if (size > left) {
        throw ScoringException.badInput(
            "input '%s' has binary_data_size %d but the body holds only %d more bytes after the"
                + " JSON header (%s: %d) and the inputs before it: the body is truncated or a size"
                + " is wrong",
            spec.name(), size, left, HEADER, headerLength);
      }
      ByteBuffer bytes = data.slice(at, (int) size).order(ByteOrder.nativeOrder());
      at += (int) size;
      return tensor(spec, shape, bytes);
    }

    /** Every byte after the JSON header must belong to an input. */
    void checkAllRead() {
      if (at != data.limit()) {
        throw ScoringException.badInput(
            "the body holds %d bytes after the JSON header (%s: %d), the inputs' binary_data_size"
                + " add up to %d",
            data.limit(), HEADER, headerLength, at);
      }
    }
  }

  /** A tensor over {@code bytes} (exactly its binary data), sharing their memory when numeric. */
  static Tensor tensor(TensorSpec spec, long[] shape, ByteBuffer bytes) {
    DType type = spec.type();
    long elements = Tensor.elements(shape);
    if (type.isString()) {
      return new Tensor(type, shape, null, strings(spec.name(), elements, bytes));
    }
    if (type.javaType().isEmpty()) {
      throw ScoringException.badInput(
          "input '%s' is %s, which ONNX Runtime's Java API cannot carry", spec.name(), type);
    }
    long expected = elements * type.size;
    if (bytes.remaining() != expected) {
      throw ScoringException.badInput(
          "input '%s' is %s of shape %s, which is %d bytes, but its binary_data_size is %d",
          spec.name(), type, Arrays.toString(shape), expected, bytes.remaining());
    }
    return new Tensor(type, shape, bytes, null);
  }

  private static String[] strings(String input, long elements, ByteBuffer bytes) {
    var utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (elements > b.remaining() / 4) { // each element takes at least its 4-byte length
      throw ScoringException.badInput(
          "input '%s' has %d elements but its binary_data_size of %d bytes cannot hold that many"
              + " 4-byte lengths",
          input, elements, b.remaining());
    }
    String[] values = new String[(int) elements];
    for (int i = 0; i < values.length; i++) {
      if (b.remaining() < 4) {
        throw bytesEnd(input, i, elements);
      }
      long length = b.getInt() & 0xFFFFFFFFL;
      if (length > b.remaining()) {
        throw bytesEnd(input, i, elements);
      }
      ByteBuffer element = b.slice(b.position(), (int) length);
      b.position(b.position() + (int) length);
      try {
        values[i] = utf8.decode(element).toString();
      } catch (CharacterCodingException e) {
        throw ScoringException.badInput(
            "input '%s': element %d is not UTF-8 text, which the model's STRING input needs",
            input, i);
      }
    }
    if (b.hasRemaining()) {
      throw ScoringException.badInput(
          "input '%s' has %d elements, which end %d bytes before its binary_data_size",
          input, elements, b.remaining());
    }
    return values;
  }

  private static ScoringException bytesEnd(String input, int index, long elements) {
    return ScoringException.badInput(
        "input '%s' has %d BYTES elements but its binary data ends inside element %d: each element"
            + " is a 4-byte little-endian length and that many bytes",
        input, elements, index);
  }

  /**
   * The binary data of an output: its own buffer for a numeric tensor (no copy), the lengths and
   * UTF-8 bytes of its elements for BYTES.
   */
  static ByteBuffer bytes(Tensor t) {
    if (!t.type().isString()) {
      return t.data().slice(0, (int) (t.elements() * t.type().size));
    }
    byte[][] utf8 = new byte[t.strings().length][];
    int size = 0;
    for (int i = 0; i < utf8.length; i++) {
      utf8[i] = t.strings()[i].getBytes(StandardCharsets.UTF_8);
      size += 4 + utf8[i].length;
    }
    ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] s : utf8) {
      out.putInt(s.length).put(s);
    }
    return out.flip();
  }

  /**
   * Splits a request body by its {@value #HEADER} value: the JSON part stays where it is, the rest
   * is copied once into a direct buffer (the copy ONNX Runtime would otherwise make of a heap
   * buffer), of which each binary input is a slice.
   *
   * @param headerLength the header's value; null for a body that is all JSON
   */
  public static V2Codec.Body split(byte[] array, int offset, int length, String headerLength) {
    if (headerLength == null) {
      return new V2Codec.Body(array, offset, length, null);
    }
    long json;
    try {
      json = Long.parseLong(headerLength.strip());
    } catch (NumberFormatException e) {
      throw ScoringException.badInput(
          "%s must be the length in bytes of the JSON part of the body, not '%s'",
          HEADER, headerLength);
    }
    if (json <= 0 || json > length) {
      throw ScoringException.badInput(
          "%s is %d but the body is %d bytes: it must be the length of the JSON part, at most the"
              + " body's length (is the body truncated?)",
          HEADER, json, length);
    }
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw ScoringException.badInput(
          "binary tensor data is little-endian and this host is not: send JSON \"data\"");
    }
    ByteBuffer binary = Tensor.allocate(length - json);
    binary.put(0, array, offset + (int) json, length - (int) json);
    return new V2Codec.Body(array, offset, (int) json, binary);
  }
}
