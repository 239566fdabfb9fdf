package dev.knoe.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.knoe.scoring.grpc.v2.GRPCInferenceServiceGrpc;
import dev.knoe.scoring.grpc.v2.InferTensorContents;
import dev.knoe.scoring.grpc.v2.ModelInferRequest;
import dev.knoe.scoring.grpc.v2.ModelInferResponse;
import dev.knoe.scoring.grpc.v2.ModelMetadataRequest;
import dev.knoe.scoring.grpc.v2.ModelMetadataResponse;
import dev.knoe.scoring.grpc.v2.ModelReadyRequest;
import dev.knoe.scoring.grpc.v2.ServerLiveRequest;
import dev.knoe.scoring.grpc.v2.ServerMetadataRequest;
import dev.knoe.scoring.grpc.v2.ServerReadyRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gRPC Open Inference Protocol on the HTTP port, driven by grpc-java's own client over h2c:
 * every RPC, every datatype of the types model through raw contents, and the status of bad input.
 */
@QuarkusTest
@TestProfile(Profiles.Types.class)
class GrpcServiceTest {

  @TestHTTPResource("/")
  URI base;

  static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

  final JsonNode expected = TestModels.expected(TestModels.test("types"));
  ManagedChannel channel;
  GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

  @BeforeEach
  void connect() {
    channel =
        ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
    stub =
        GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void serverLiveReadyAndMetadata() {
    assertTrue(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
    assertTrue(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
    var meta = stub.serverMetadata(ServerMetadataRequest.getDefaultInstance());
    assertEquals("knoe-scoring-function", meta.getName());
    assertEquals("0.1.0", meta.getVersion());
  }

  @Test
  void modelReadyAndMetadataNameEveryDatatype() {
    assertTrue(stub.modelReady(ModelReadyRequest.newBuilder().setName("types").build()).getReady());
    ModelMetadataResponse meta =
        stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("types").build());
    assertEquals("types", meta.getName());
    assertEquals(List.of("1"), meta.getVersionsList());
    assertEquals("onnxruntime_onnx", meta.getPlatform());
    DatatypesTest.V2_TYPES.forEach(
        (name, type) -> assertEquals(type, datatype(meta.getInputsList(), name), name));
    DatatypesTest.OUT_TYPES.forEach(
        (name, type) -> assertEquals(type, datatype(meta.getOutputsList(), name), name));
    var f64 =
        meta.getInputsList().stream().filter(t -> t.getName().equals("f64")).findFirst().get();
    assertEquals(List.of(-1L, 2L), f64.getShapeList());
  }

  @Test
  void unknownModelIsNotFoundOnEveryModelRpc() {
    String message = "unknown model 'nope'; this server serves 'types'";
    assertStatus(
        Status.Code.NOT_FOUND,
        message,
        () -> stub.modelReady(ModelReadyRequest.newBuilder().setName("nope").build()));
    assertStatus(
        Status.Code.NOT_FOUND,
        message,
        () -> stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("nope").build()));
    assertStatus(
        Status.Code.NOT_FOUND,
        message,
        () -> stub.modelInfer(rawRequest().setModelName("nope").build()));
  }

  @Test
  void aFailedCallCarriesItsRequestIdInTheTrailers() {
    Metadata headers = new Metadata();
    headers.put(REQUEST_ID, "trace-43");
    var e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .modelInfer(rawRequest().setModelName("nope").build()));
    assertEquals("trace-43", e.getTrailers().get(REQUEST_ID));
  }

  @Test
  void rawInferCarriesEveryDatatypeExactlyAndEchoesIds() {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER), "trace-42");
    AtomicReference<Metadata> answered = new AtomicReference<>();
    ModelInferResponse response =
        stub.withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(headers),
                MetadataUtils.newCaptureMetadataInterceptor(answered, new AtomicReference<>()))
            .modelInfer(rawRequest().setId("my-id").build());
    assertEquals(
        "trace-42",
        answered.get().get(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER)));
    assertEquals("types", response.getModelName());
    assertEquals("my-id", response.getId());
    assertEquals(DatatypesTest.OUT_TYPES.size(), response.getOutputsCount());
    assertEquals(response.getOutputsCount(), response.getRawOutputContentsCount());
    for (int i = 0; i < response.getOutputsCount(); i++) {
      var out = response.getOutputs(i);
      String name = out.getName();
      assertEquals(DatatypesTest.OUT_TYPES.get(name), out.getDatatype(), name);
      assertEquals(
          flat(expected.get("outputs").get(name)),
          values(out.getDatatype(), response.getRawOutputContents(i)),
          name);
      assertEquals(shape(expected.get("outputs").get(name)), out.getShapeList(), name);
    }
  }

  @Test
  void onlyTheRequestedOutputsComeBack() {
    ModelInferResponse response =
        stub.modelInfer(
            rawRequest()
                .addOutputs(
                    ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("text_out"))
                .addOutputs(
                    ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("i8_out"))
                .build());
    assertEquals(
        List.of("i8_out", "text_out"),
        response.getOutputsList().stream().map(o -> o.getName()).sorted().toList());
    assertEquals(2, response.getRawOutputContentsCount());
  }

  /** Concurrent calls go through the batcher HTTP uses: batches of more than one form. */
  @Test
  void concurrentCallsAreBatchedAndEachGetsItsOwnAnswer() throws Exception {
    var async = GRPCInferenceServiceGrpc.newFutureStub(channel);
    for (int burst = 0; burst < 5 && maxBatch() <= 1; burst++) {
      var calls =
          IntStream.range(0, 32)
              .mapToObj(i -> async.modelInfer(rawRequest().setId("c" + i).build()))
              .toList();
      for (int i = 0; i < calls.size(); i++) {
        ModelInferResponse r = calls.get(i).get(30, TimeUnit.SECONDS);
        assertEquals("c" + i, r.getId());
        int at = indexOf(r, "i64_out");
        assertEquals(
            flat(expected.get("outputs").get("i64_out")),
            values("INT64", r.getRawOutputContents(at)));
      }
    }
    assertTrue(maxBatch() > 1, "no batch of more than one request formed in 5 bursts of 32");
    assertTrue(
        metrics().contains("knoe_requests_total{route=\"grpc_infer\",status=\"200\"}"),
        "ModelInfer counted in knoe_requests");
  }

  record BadInput(String name, UnaryOperator<ModelInferRequest.Builder> change, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<BadInput> badInputs() {
    return List.of(
        new BadInput(
            "raw contents one byte short",
            r -> r.setRawInputContents(0, r.getRawInputContents(0).substring(1)),
            "input 'f64' is FP64 with shape [2, 2], so its raw contents must be 32 bytes (4 x 8);"
                + " the request sent 31 bytes"),
        new BadInput(
            "fewer raw contents than inputs",
            r -> {
              var raws = new ArrayList<>(r.getRawInputContentsList());
              raws.remove(raws.size() - 1);
              return r.clearRawInputContents().addAllRawInputContents(raws);
            },
            "raw_input_contents has 8 entries for 9 inputs"),
        new BadInput(
            "declared datatype differs from the model's",
            r -> r.setInputs(1, r.getInputs(1).toBuilder().setDatatype("INT32")),
            "input 'i64' has datatype INT64 in the model, the request declares INT32"),
        new BadInput(
            "unknown datatype",
            r -> r.setInputs(1, r.getInputs(1).toBuilder().setDatatype("INT128")),
            "input 'i64' has unknown datatype 'INT128'"),
        new BadInput(
            "shape the model does not take",
            r -> r.setInputs(0, r.getInputs(0).toBuilder().clearShape().addShape(1).addShape(4)),
            "input 'f64' expects shape [-1, 2] (-1 = any), the request sent shape [1, 4]"),
        new BadInput(
            "unknown input",
            r -> r.setInputs(0, r.getInputs(0).toBuilder().setName("f65")),
            "unknown input 'f65'"),
        new BadInput(
            "missing input",
            r -> {
              var inputs = new ArrayList<>(r.getInputsList());
              var raws = new ArrayList<>(r.getRawInputContentsList());
              inputs.remove(0);
              raws.remove(0);
              return r.clearInputs()
                  .addAllInputs(inputs)
                  .clearRawInputContents()
                  .addAllRawInputContents(raws);
            },
            "missing input 'f64'"),
        new BadInput(
            "unknown output",
            r ->
                r.addOutputs(
                    ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("x")),
            "unknown output 'x'"),
        new BadInput(
            "BYTES raw contents cut inside a length",
            r -> r.setRawInputContents(8, ByteString.copyFrom(new byte[] {5, 0})),
            "input 'text' is BYTES, its raw contents end in the middle of a 4-byte length"),
        new BadInput(
            "typed contents for FP16",
            r -> {
              var typed = ModelInferRequest.newBuilder().setModelName("types");
              typed.addInputs(
                  r.getInputs(7).toBuilder()
                      .setContents(InferTensorContents.newBuilder().addFp32Contents(1)));
              return typed;
            },
            "input 'f16' is FP16, which has no typed contents field: send it in"
                + " raw_input_contents"),
        new BadInput(
            "typed contents of the wrong count",
            r ->
                ModelInferRequest.newBuilder()
                    .setModelName("types")
                    .addInputs(
                        r.getInputs(1).toBuilder()
                            .setContents(InferTensorContents.newBuilder().addInt64Contents(1))),
            "input 'i64' is INT64 with shape [2, 2] (4 elements) but contents.int64_contents"
                + " holds 1 values"),
        new BadInput(
            "typed contents out of the type's range",
            r ->
                ModelInferRequest.newBuilder()
                    .setModelName("types")
                    .addInputs(
                        r.getInputs(3).toBuilder()
                            .setContents(
                                InferTensorContents.newBuilder()
                                    .addAllIntContents(List.of(128, 0, 0, 0)))),
            "input 'i8' is INT8, the value 128 is out of range [-128, 127]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputIsInvalidArgumentNamingTheProblem(BadInput bad) {
    assertStatus(
        Status.Code.INVALID_ARGUMENT,
        bad.message(),
        () -> stub.modelInfer(bad.change().apply(rawRequest()).build()));
  }

  /** The types model's inputs from expected.json, every one as raw little-endian bytes. */
  ModelInferRequest.Builder rawRequest() {
    ModelInferRequest.Builder r = ModelInferRequest.newBuilder().setModelName("types");
    expected
        .get("inputs")
        .fields()
        .forEachRemaining(
            e -> {
              String type = DatatypesTest.V2_TYPES.get(e.getKey());
              r.addInputsBuilder()
                  .setName(e.getKey())
                  .setDatatype(type)
                  .addAllShape(shape(e.getValue()));
              r.addRawInputContents(raw(type, e.getValue()));
            });
    return r;
  }

  static List<Long> shape(JsonNode nested) {
    List<Long> shape = new ArrayList<>();
    for (JsonNode n = nested; n.isArray(); n = n.get(0)) {
      shape.add((long) n.size());
    }
    return shape;
  }

  static List<JsonNode> leaves(JsonNode nested) {
    List<JsonNode> out = new ArrayList<>();
    if (nested.isArray()) {
      nested.forEach(n -> out.addAll(leaves(n)));
    } else {
      out.add(nested);
    }
    return out;
  }

  /** The expected values as text, numbers as Java prints a double (or a long when integral). */
  static List<String> flat(JsonNode nested) {
    return leaves(nested).stream()
        .map(
            v ->
                v.isIntegralNumber()
                    ? v.asText()
                    : v.isNumber() ? Double.toString(v.asDouble()) : v.asText())
        .toList();
  }

  static ByteString raw(String type, JsonNode nested) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (JsonNode v : leaves(nested)) {
      ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      switch (type) {
        case "FP64" -> b.putDouble(v.asDouble());
        case "FP32" -> b.putFloat((float) v.asDouble());
        case "FP16" -> b.putShort(Fp16Conversions.floatToFp16((float) v.asDouble()));
        case "INT64" -> b.putLong(v.asLong());
        case "INT32" -> b.putInt(v.asInt());
        case "INT16" -> b.putShort((short) v.asInt());
        case "INT8", "UINT8" -> b.put((byte) v.asInt());
        case "BOOL" -> b.put((byte) (v.asBoolean() ? 1 : 0));
        case "BYTES" -> {
          byte[] s = v.asText().getBytes(StandardCharsets.UTF_8);
          out.write(b.putInt(s.length).array(), 0, 4);
          out.write(s, 0, s.length);
          continue;
        }
        default -> throw new IllegalArgumentException(type);
      }
      out.write(b.array(), 0, b.position());
    }
    return ByteString.copyFrom(out.toByteArray());
  }

  static List<String> values(String type, ByteString raw) {
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    List<String> out = new ArrayList<>();
    while (b.hasRemaining()) {
      out.add(
          switch (type) {
            case "FP64" -> Double.toString(b.getDouble());
            case "FP32" -> Double.toString(b.getFloat());
            case "FP16" -> Double.toString(Fp16Conversions.fp16ToFloat(b.getShort()));
            case "INT64" -> Long.toString(b.getLong());
            case "INT32" -> Integer.toString(b.getInt());
            case "INT16" -> Short.toString(b.getShort());
            case "INT8" -> Byte.toString(b.get());
            case "UINT8" -> Integer.toString(b.get() & 0xFF);
            case "BOOL" -> Boolean.toString(b.get() != 0);
            case "BYTES" -> {
              byte[] s = new byte[b.getInt()];
              b.get(s);
              yield new String(s, StandardCharsets.UTF_8);
            }
            default -> throw new IllegalArgumentException(type);
          });
    }
    return out;
  }

  static String datatype(List<ModelMetadataResponse.TensorMetadata> tensors, String name) {
    return tensors.stream()
        .filter(t -> t.getName().equals(name))
        .map(ModelMetadataResponse.TensorMetadata::getDatatype)
        .findFirst()
        .orElse(null);
  }

  static int indexOf(ModelInferResponse r, String output) {
    for (int i = 0; i < r.getOutputsCount(); i++) {
      if (r.getOutputs(i).getName().equals(output)) {
        return i;
      }
    }
    throw new AssertionError("no output " + output);
  }

  static void assertStatus(Status.Code code, String message, Runnable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(
        String.valueOf(e.getStatus().getDescription()).contains(message),
        "expected '" + message + "' in '" + e.getStatus().getDescription() + "'");
  }

  String metrics() throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(base.resolve("/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  double maxBatch() throws Exception {
    Matcher m = Pattern.compile("(?m)^knoe_batch_size_max (\\S+)").matcher(metrics());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
