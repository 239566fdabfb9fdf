package dev.knoe.scoring.codec;

import com.google.protobuf.ByteString;
import dev.knoe.scoring.ScoringException;
import dev.knoe.scoring.grpc.v2.InferTensorContents;
import dev.knoe.scoring.grpc.v2.ModelInferRequest;
import dev.knoe.scoring.grpc.v2.ModelInferResponse;
import dev.knoe.scoring.model.Signature;
import dev.knoe.scoring.model.TensorSpec;
import dev.knoe.scoring.tensor.DType;
import dev.knoe.scoring.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol's gRPC {@code ModelInfer} messages to and from tensors. Values come
 * either as {@code raw_input_contents} (flat little-endian bytes, one entry per input; what
 * tritonclient sends) or in the typed {@code contents} field of each input.
 */
public final class GrpcCodec {

  private static final boolean NATIVE_LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  private GrpcCodec() {}

  /** Decodes and checks a request against the model's signature; the id is null when empty. */
  public static V2Codec.Request decode(ModelInferRequest request, Signature signature) {
    int raws = request.getRawInputContentsCount();
    if (raws > 0 && raws != request.getInputsCount()) {
      throw ScoringException.badInput(
          "raw_input_contents has %d entries for %d inputs: send one per input, in the order of"
              + " inputs",
          raws, request.getInputsCount());
    }
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    for (int i = 0; i < request.getInputsCount(); i++) {
      ModelInferRequest.InferInputTensor in = request.getInputs(i);
      TensorSpec spec = signature.input(in.getName());
      DType declared =
          DType.ofName(in.getDatatype())
              .orElseThrow(
                  () ->
                      ScoringException.badInput(
                          "input '%s' has unknown datatype '%s'; V2 datatypes are %s",
                          in.getName(), in.getDatatype(), Arrays.toString(DType.values())));
      if (declared != spec.type()) {
        throw ScoringException.badInput(
            "input '%s' has datatype %s in the model, the request declares %s",
            spec.name(), spec.type(), declared);
      }
      long[] shape = shape(in);
      Tensor t;
      if (raws > 0) {
        if (in.hasContents()
            && !in.getContents().equals(InferTensorContents.getDefaultInstance())) {
          throw ScoringException.badInput(
              "input '%s' has contents although the request uses raw_input_contents: send each"
                  + " input's values one way",
              spec.name());
        }
        t = raw(spec.name(), declared, shape, request.getRawInputContents(i));
      } else {
        t = typed(spec.name(), declared, shape, in.getContents());
      }
      if (inputs.put(spec.name(), t) != null) {
        throw ScoringException.badInput("input '%s' is given twice", spec.name());
      }
    }
    List<String> wanted = new ArrayList<>();
    for (var out : request.getOutputsList()) {
      if (signature.outputs().stream().noneMatch(o -> o.name().equals(out.getName()))) {
        throw ScoringException.badInput(
            "unknown output '%s': the model's outputs are %s",
            out.getName(), signature.outputNames());
      }
      wanted.add(out.getName());
    }
    signature.check(inputs);
    // gRPC carries outputs as protobuf: the HTTP binary-data choices do not apply.
    return new V2Codec.Request(
        request.getId().isEmpty() ? null : request.getId(),
        inputs,
        List.copyOf(wanted),
        false,
        Map.of());
  }

  private static long[] shape(ModelInferRequest.InferInputTensor in) {
    long[] shape = new long[in.getShapeCount()];
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = in.getShape(i);
      if (shape[i] < 0) {
        throw ScoringException.badInput(
            "input '%s' has shape %s: dimensions must not be negative",
            in.getName(), in.getShapeList());
      }
      try {
        n = Math.multiplyExact(n, shape[i]);
      } catch (ArithmeticException e) {
        throw ScoringException.badInput(
            "input '%s' has shape %s, too many elements", in.getName(), in.getShapeList());
      }
    }
    return shape;
  }

  /**
   * One input's raw bytes: elements of the type's size, or for BYTES each element as a 4-byte
   * little-endian length and that many bytes (UTF-8 text: ONNX strings are text).
   */
  private static Tensor raw(String name, DType type, long[] shape, ByteString bytes) {
    long n = Tensor.elements(shape);
    if (type.isString()) {
      ByteBuffer b = bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      List<String> strings = new ArrayList<>();
      while (b.remaining() > 0) {
        if (b.remaining() < 4) {
          throw ScoringException.badInput(
              "input '%s' is BYTES, its raw contents end in the middle of a 4-byte length", name);
        }
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
          throw ScoringException.badInput(
              "input '%s' is BYTES, an element's length %d runs past the %d bytes left in its raw"
                  + " contents",
              name, Integer.toUnsignedLong(length), b.remaining());
        }
        byte[] s = new byte[length];
        b.get(s);
        strings.add(new String(s, StandardCharsets.UTF_8));
      }
      if (strings.size() != n) {
        throw ScoringException.badInput(
            "input '%s' has shape %s (%d elements) but its raw contents hold %d strings",
            name, Arrays.toString(shape), n, strings.size());
      }
      return new Tensor(type, shape, null, strings.toArray(String[]::new));
    }
    long expected = n * type.size;
    if (bytes.size() != expected) {
      throw ScoringException.badInput(
          "input '%s' is %s with shape %s, so its raw contents must be %d bytes (%d x %d); the"
              + " request sent %d bytes",
          name, type, Arrays.toString(shape), expected, n, type.size, bytes.size());
    }
    ByteBuffer data = Tensor.allocate(expected);
    bytes.copyTo(data);
    data.flip();
    if (!NATIVE_LE) {
      swap(data, type.size);
    }
    return new Tensor(type, shape, data, null);
  }

  /** One input's values from the contents field of its type. */
  private static Tensor typed(String name, DType type, long[] shape, InferTensorContents c) {
    long n = Tensor.elements(shape);
    String field = field(type, name);
    int count =
        switch (type) {
          case BOOL -> c.getBoolContentsCount();
          case INT8, INT16, INT32 -> c.getIntContentsCount();
          case INT64 -> c.getInt64ContentsCount();
          case UINT8, UINT16, UINT32 -> c.getUintContentsCount();
          case UINT64 -> c.getUint64ContentsCount();
          case FP32 -> c.getFp32ContentsCount();
          case FP64 -> c.getFp64ContentsCount();
          case BYTES -> c.getBytesContentsCount();
          case FP16, BF16 -> throw new IllegalStateException(); // field() threw
        };
    if (count != n) {
      throw ScoringException.badInput(
          "input '%s' is %s with shape %s (%d elements) but contents.%s holds %d values",
          name, type, Arrays.toString(shape), n, field, count);
    }
    if (type.isString()) {
      String[] strings = new String[count];
      for (int i = 0; i < count; i++) {
        strings[i] = c.getBytesContents(i).toStringUtf8();
      }
      return new Tensor(type, shape, null, strings);
    }
    ByteBuffer data = Tensor.allocate((long) count * type.size);
    for (int i = 0; i < count; i++) {
      switch (type) {
        case BOOL -> data.put(i, (byte) (c.getBoolContents(i) ? 1 : 0));
        case INT8 -> data.put(i, (byte) inRange(name, type, c.getIntContents(i), -128, 127));
        case INT16 ->
            data.putShort(2 * i, (short) inRange(name, type, c.getIntContents(i), -32768, 32767));
        case INT32 -> data.putInt(4 * i, c.getIntContents(i));
        case INT64 -> data.putLong(8 * i, c.getInt64Contents(i));
        case UINT8 ->
            data.put(
                i,
                (byte) inRange(name, type, Integer.toUnsignedLong(c.getUintContents(i)), 0, 255));
        case UINT16 ->
            data.putShort(
                2 * i,
                (short)
                    inRange(name, type, Integer.toUnsignedLong(c.getUintContents(i)), 0, 65535));
        case UINT32 -> data.putInt(4 * i, c.getUintContents(i));
        case UINT64 -> data.putLong(8 * i, c.getUint64Contents(i));
        case FP32 -> data.putFloat(4 * i, c.getFp32Contents(i));
        case FP64 -> data.putDouble(8 * i, c.getFp64Contents(i));
        default -> throw new IllegalStateException(type.name());
      }
    }
    return new Tensor(type, shape, data, null);
  }

  /** The contents field that carries a datatype's values; FP16 and BF16 have none. */
  private static String field(DType type, String name) {
    return switch (type) {
      case BOOL -> "bool_contents";
      case INT8, INT16, INT32 -> "int_contents";
      case INT64 -> "int64_contents";
      case UINT8, UINT16, UINT32 -> "uint_contents";
      case UINT64 -> "uint64_contents";
      case FP32 -> "fp32_contents";
      case FP64 -> "fp64_contents";
      case BYTES -> "bytes_contents";
      case FP16, BF16 ->
          throw ScoringException.badInput(
              "input '%s' is %s, which has no typed contents field: send it in raw_input_contents",
              name, type);
    };
  }

  private static long inRange(String name, DType type, long v, long min, long max) {
    if (v < min || v > max) {
      throw ScoringException.badInput(
          "input '%s' is %s, the value %d is out of range [%d, %d]", name, type, v, min, max);
    }
    return v;
  }

  /**
   * The response with the requested outputs (all when none were named). Values go raw when the
   * request came raw (tritonclient reads only raw outputs) or when an output is FP16 or BF16 (no
   * typed field holds them, and the protocol forbids mixing the two ways); else typed.
   */
  public static ModelInferResponse encode(
      String modelName, V2Codec.Request request, Map<String, Tensor> outputs, boolean rawRequest) {
    List<Map.Entry<String, Tensor>> answered =
        outputs.entrySet().stream()
            .filter(e -> request.outputs().isEmpty() || request.outputs().contains(e.getKey()))
            .toList();
    boolean raw =
        rawRequest
            || answered.stream()
                .anyMatch(
                    e -> e.getValue().type() == DType.FP16 || e.getValue().type() == DType.BF16);
    ModelInferResponse.Builder b =
        ModelInferResponse.newBuilder()
            .setModelName(modelName)
            .setModelVersion(dev.knoe.scoring.ScoringService.MODEL_VERSION);
    if (request.id() != null) {
      b.setId(request.id());
    }
    for (var e : answered) {
      Tensor t = e.getValue();
      var out = b.addOutputsBuilder().setName(e.getKey()).setDatatype(t.type().name());
      for (long d : t.shape()) {
        out.addShape(d);
      }
      if (raw) {
        b.addRawOutputContents(raw(t));
      } else {
        out.setContents(typed(t));
      }
    }
    return b.build();
  }

  private static ByteString raw(Tensor t) {
    int n = (int) t.elements();
    if (t.type().isString()) {
      ByteString.Output out = ByteString.newOutput();
      ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      for (String s : t.strings()) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.write(length.putInt(0, utf8.length).array(), 0, 4);
        out.write(utf8, 0, utf8.length);
      }
      return out.toByteString();
    }
    // Absolute bounds: an output may be a batch's slice whose buffer other requests share.
    ByteBuffer view = t.data().duplicate().position(0).limit(n * t.type().size);
    if (NATIVE_LE) {
      return ByteString.copyFrom(view);
    }
    ByteBuffer copy = ByteBuffer.allocate(view.remaining()).put(view).flip();
    swap(copy, t.type().size);
    return ByteString.copyFrom(copy);
  }

  private static InferTensorContents typed(Tensor t) {
    int n = (int) t.elements();
    ByteBuffer d = t.data();
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (int i = 0; i < n; i++) {
      switch (t.type()) {
        case BOOL -> c.addBoolContents(d.get(i) != 0);
        case INT8 -> c.addIntContents(d.get(i));
        case INT16 -> c.addIntContents(d.getShort(2 * i));
        case INT32 -> c.addIntContents(d.getInt(4 * i));
        case INT64 -> c.addInt64Contents(d.getLong(8 * i));
        case UINT8 -> c.addUintContents(d.get(i) & 0xFF);
        case UINT16 -> c.addUintContents(d.getShort(2 * i) & 0xFFFF);
        case UINT32 -> c.addUintContents(d.getInt(4 * i));
        case UINT64 -> c.addUint64Contents(d.getLong(8 * i));
        case FP32 -> c.addFp32Contents(d.getFloat(4 * i));
        case FP64 -> c.addFp64Contents(d.getDouble(8 * i));
        case BYTES -> c.addBytesContents(ByteString.copyFromUtf8(t.strings()[i]));
        case FP16, BF16 -> throw new IllegalStateException("FP16 and BF16 go raw");
      }
    }
    return c.build();
  }

  /** Reverses each element's bytes: little-endian wire order to a big-endian host's and back. */
  private static void swap(ByteBuffer b, int size) {
    for (int at = 0; at + size <= b.limit(); at += size) {
      for (int i = 0, j = size - 1; i < j; i++, j--) {
        byte x = b.get(at + i);
        b.put(at + i, b.get(at + j));
        b.put(at + j, x);
      }
    }
  }
}
