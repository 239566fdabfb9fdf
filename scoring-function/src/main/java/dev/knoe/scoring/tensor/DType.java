package dev.knoe.scoring.tensor;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import java.util.Arrays;
import java.util.Optional;

/**
 * Tensor element types by their Open Inference Protocol (V2) names, with the ONNX Runtime Java type
 * that carries them. UINT16/32/64 exist in ONNX and V2 but ONNX Runtime's Java API cannot create
 * tensors of them, so {@link #javaType} is empty for those.
 */
public enum DType {
  BOOL(1, OnnxJavaType.BOOL, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL),
  UINT8(1, OnnxJavaType.UINT8, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8),
  UINT16(2, null, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16),
  UINT32(4, null, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32),
  UINT64(8, null, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64),
  INT8(1, OnnxJavaType.INT8, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8),
  INT16(2, OnnxJavaType.INT16, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16),
  INT32(4, OnnxJavaType.INT32, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32),
  INT64(8, OnnxJavaType.INT64, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64),
  FP16(2, OnnxJavaType.FLOAT16, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16),
  BF16(2, OnnxJavaType.BFLOAT16, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16),
  FP32(4, OnnxJavaType.FLOAT, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT),
  FP64(8, OnnxJavaType.DOUBLE, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE),
  /** Strings, carried as Java {@code String}s (ONNX STRING). */
  BYTES(0, OnnxJavaType.STRING, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING);

  /** Bytes per element in a buffer; 0 for BYTES, which is held as a String array. */
  public final int size;

  private final OnnxJavaType javaType;
  private final OnnxTensorType onnxType;

  DType(int size, OnnxJavaType javaType, OnnxTensorType onnxType) {
    this.size = size;
    this.javaType = javaType;
    this.onnxType = onnxType;
  }

  public Optional<OnnxJavaType> javaType() {
    return Optional.ofNullable(javaType);
  }

  public boolean isString() {
    return this == BYTES;
  }

  public static Optional<DType> ofOnnx(OnnxTensorType type) {
    return Arrays.stream(values()).filter(d -> d.onnxType == type).findFirst();
  }

  /** Parses a V2 datatype name, case-insensitively; empty for an unknown name. */
  public static Optional<DType> ofName(String name) {
    return Arrays.stream(values()).filter(d -> d.name().equalsIgnoreCase(name)).findFirst();
  }
}
