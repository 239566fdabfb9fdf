package dev.knoe.scoring.grpc;

import dev.knoe.scoring.Metrics;
import dev.knoe.scoring.ScoringException;
import dev.knoe.scoring.ScoringService;
import dev.knoe.scoring.codec.GrpcCodec;
import dev.knoe.scoring.grpc.v2.GRPCInferenceServiceGrpc;
import dev.knoe.scoring.grpc.v2.ModelInferRequest;
import dev.knoe.scoring.grpc.v2.ModelInferResponse;
import dev.knoe.scoring.grpc.v2.ModelMetadataRequest;
import dev.knoe.scoring.grpc.v2.ModelMetadataResponse;
import dev.knoe.scoring.grpc.v2.ModelReadyRequest;
import dev.knoe.scoring.grpc.v2.ModelReadyResponse;
import dev.knoe.scoring.grpc.v2.ServerLiveRequest;
import dev.knoe.scoring.grpc.v2.ServerLiveResponse;
import dev.knoe.scoring.grpc.v2.ServerMetadataRequest;
import dev.knoe.scoring.grpc.v2.ServerMetadataResponse;
import dev.knoe.scoring.grpc.v2.ServerReadyRequest;
import dev.knoe.scoring.grpc.v2.ServerReadyResponse;
import dev.knoe.scoring.model.Signature;
import dev.knoe.scoring.model.TensorSpec;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * {@code inference.GRPCInferenceService} on the scoring service: the same model, batcher, errors
 * and request meters as the HTTP V2 routes. Methods run on the event loop (decoding is cheap and
 * bounded by the message size limit); ModelInfer answers on the call's event loop once the run is
 * done.
 */
@GrpcService
@RegisterInterceptor(Gate.class)
public class InferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

  private static final Logger LOG = Logger.getLogger(InferenceService.class);

  /** The route tag of ModelInfer in {@code knoe_requests} and {@code knoe_request_duration}. */
  static final String ROUTE = "grpc_infer";

  @Inject ScoringService service;
  @Inject Metrics metrics;

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> answer) {
    unary(answer, () -> ServerLiveResponse.newBuilder().setLive(true).build());
  }

  @Override
  public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> answer) {
    unary(answer, () -> ServerReadyResponse.newBuilder().setReady(service.ready()).build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> answer) {
    unary(
        answer,
        () -> {
          service.checkModelName(request.getName());
          service.checkModelVersion(request.getName(), request.getVersion());
          return ModelReadyResponse.newBuilder().setReady(service.ready()).build();
        });
  }

  @Override
  public void serverMetadata(
      ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> answer) {
    unary(
        answer,
        () ->
            ServerMetadataResponse.newBuilder()
                .setName("knoe-scoring-function")
                .setVersion("0.1.0")
                .build());
  }

  @Override
  public void modelMetadata(
      ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> answer) {
    unary(
        answer,
        () -> {
          service.checkModelName(request.getName());
          service.checkModelVersion(request.getName(), request.getVersion());
          Signature s = signature();
          ModelMetadataResponse.Builder b =
              ModelMetadataResponse.newBuilder()
                  .setName(service.modelName())
                  .addVersions(ScoringService.MODEL_VERSION)
                  .setPlatform("onnxruntime_onnx");
          s.inputs().forEach(t -> b.addInputs(tensor(t)));
          s.outputs().forEach(t -> b.addOutputs(tensor(t)));
          return b.build();
        });
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> answer) {
    long start = System.nanoTime();
    String id = Gate.ID.get();
    Context context = Vertx.currentContext();
    boolean raw = request.getRawInputContentsCount() > 0;
    try {
      service.checkModelName(request.getModelName());
      service.checkModelVersion(request.getModelName(), request.getModelVersion());
      service
          .infer(
              signature -> GrpcCodec.decode(request, signature),
              (decoded, outputs) -> GrpcCodec.encode(service.modelName(), decoded, outputs, raw))
          .whenComplete(
              (response, failure) ->
                  onContext(
                      context,
                      () -> {
                        if (failure == null) {
                          answer.onNext(response);
                          answer.onCompleted();
                          metrics.request(ROUTE, 200, System.nanoTime() - start);
                        } else {
                          fail(answer, unwrap(failure), start, id);
                        }
                      }));
    } catch (RuntimeException e) {
      fail(answer, e, start, id);
    }
  }

  private void fail(StreamObserver<?> answer, Throwable t, long start, String id) {
    Status status = GrpcStatus.of(t);
    int http = GrpcStatus.http(t);
    String line =
        String.format(
            "gRPC ModelInfer -> %s: %s [request %s]",
            status.getCode(), status.getDescription(), id);
    if (http >= 500) {
      LOG.warn(line, t instanceof ScoringException ? null : t);
    } else {
      LOG.info(line);
    }
    answer.onError(status.asRuntimeException());
    metrics.request(ROUTE, http, System.nanoTime() - start);
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private static void onContext(Context context, Runnable r) {
    if (context == null) {
      r.run();
    } else {
      context.runOnContext(v -> r.run());
    }
  }

  /** Answers a cheap call at once; a {@link ScoringException} becomes its status. */
  private static <A> void unary(StreamObserver<A> answer, Supplier<A> body) {
    A a;
    try {
      a = body.get();
    } catch (RuntimeException e) {
      answer.onError(GrpcStatus.of(e).asRuntimeException());
      return;
    }
    answer.onNext(a);
    answer.onCompleted();
  }

  private Signature signature() {
    return service.signature().orElseThrow(ScoringException::noModel);
  }

  private static ModelMetadataResponse.TensorMetadata tensor(TensorSpec t) {
    ModelMetadataResponse.TensorMetadata.Builder b =
        ModelMetadataResponse.TensorMetadata.newBuilder()
            .setName(t.name())
            .setDatatype(t.type().name());
    for (long d : t.shape()) {
      b.addShape(d);
    }
    return b.build();
  }
}
