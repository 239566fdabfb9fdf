package dev.knoe.scoring;

import static dev.knoe.scoring.GrpcServiceTest.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.knoe.scoring.grpc.v2.GRPCInferenceServiceGrpc;
import dev.knoe.scoring.grpc.v2.InferTensorContents;
import dev.knoe.scoring.grpc.v2.ModelInferRequest;
import dev.knoe.scoring.grpc.v2.ModelInferResponse;
import dev.knoe.scoring.grpc.v2.ModelMetadataRequest;
import dev.knoe.scoring.grpc.v2.ServerLiveRequest;
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
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code KNOE_AUTH=required} over gRPC: the {@code authorization: Bearer} metadata with the keys
 * and tokens HTTP accepts (AuthTest's profile), typed FP32 contents, and tritonclient with a key.
 */
@QuarkusTest
@TestProfile(AuthTest.Required.class)
class GrpcAuthTest {

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @TestHTTPResource("/")
  URI base;

  ManagedChannel channel;
  GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub anonymous;

  @BeforeEach
  void connect() {
    channel =
        ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
    anonymous =
        GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub as(String authorization) {
    Metadata m = new Metadata();
    m.put(AUTHORIZATION, authorization);
    return anonymous.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
  }

  @Test
  void healthIsOpenEverythingElseNeedsACredential() {
    assertTrue(anonymous.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
    assertTrue(anonymous.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
    String missing = "missing credential: send 'authorization: Bearer <key or token>'";
    assertStatus(
        Status.Code.UNAUTHENTICATED,
        missing,
        () ->
            anonymous.modelMetadata(ModelMetadataRequest.newBuilder().setName("model-1").build()));
    assertStatus(Status.Code.UNAUTHENTICATED, missing, () -> anonymous.modelInfer(request()));
    assertStatus(
        Status.Code.UNAUTHENTICATED,
        "invalid credential: the key or token is not accepted",
        () -> as("Bearer not-a-key").modelInfer(request()));
    assertStatus(
        Status.Code.UNAUTHENTICATED,
        "missing credential",
        () -> as("Basic Zm9vOmJhcg==").modelInfer(request()));
  }

  @Test
  void refusalCarriesABearerChallenge() {
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class, () -> anonymous.modelInfer(request()));
    assertEquals(
        "Bearer",
        e.getTrailers().get(Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER)));
  }

  @Test
  void eitherKeyInfersWithTypedContentsAsNumpyDoes() {
    JsonNode expected = TestModels.expected(TestModels.sample("model-1"));
    for (String key : List.of("primary-key-1", "secondary-key-1")) {
      ModelInferResponse r = as("Bearer " + key).modelInfer(request());
      assertEquals(0, r.getRawOutputContentsCount(), "a typed request gets typed outputs");
      assertEquals("FP32", r.getOutputs(0).getDatatype());
      assertEquals(List.of(2L, 1L), r.getOutputs(0).getShapeList());
      List<Float> got = r.getOutputs(0).getContents().getFp32ContentsList();
      JsonNode want = expected.get("response");
      for (int i = 0; i < 2; i++) {
        assertEquals(want.get(i).get(0).floatValue(), got.get(i), 1e-5, key + " row " + i);
      }
    }
  }

  @Test
  void tritonClientWithAKey() throws Exception {
    String output =
        PythonClient.run(
            PythonClient.GRPC_CHECK,
            java.util.Map.of("KNOE_SAMPLES", TestModels.samples().toString()),
            base.getHost() + ":" + base.getPort(),
            "model-1",
            "primary-key-1");
    assertTrue(output.contains("checks as expected"), output);
  }

  /** samples' model-1 request, typed: two rows of ten FP32 values. */
  ModelInferRequest request() {
    JsonNode rows = TestModels.expected(TestModels.sample("model-1")).get("request").get("data");
    List<Float> values = new ArrayList<>();
    rows.forEach(row -> row.forEach(v -> values.add(v.floatValue())));
    ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName("model-1");
    b.addInputsBuilder()
        .setName(inputName())
        .setDatatype("FP32")
        .addShape(rows.size())
        .addShape(rows.get(0).size())
        .setContents(InferTensorContents.newBuilder().addAllFp32Contents(values));
    return b.build();
  }

  String inputName() {
    return as("Bearer primary-key-1")
        .modelMetadata(ModelMetadataRequest.newBuilder().setName("model-1").build())
        .getInputs(0)
        .getName();
  }
}
