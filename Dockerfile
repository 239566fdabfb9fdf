# Knoe's images, built from this repository (the first stage compiles it):
#
#   docker build --target control               -t <registry>/knoe-dev/knoe:0.1.0 .
#   docker build --target scoring-function      -t <registry>/knoe-dev/knoe-scoring-function:0.1.0 .
#   docker build --target scoring-function-cuda -t <registry>/knoe-dev/knoe-scoring-function:0.1.0-cuda .
#
# The chart runs the first (image.*), CPU revisions the second (scoringImage.*) and revisions of GPU
# instance types the third (scoringImage.gpuTag). This repository's CI has no container engine, so
# these are not built there: see README "Run on Kubernetes with Knative".

FROM eclipse-temurin:17-jdk-noble AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -ntp -q package -DskipTests -pl control,scoring-function -am

# ---------------------------------------------------------------- control plane
# `knoe serve` in cluster mode, as the chart runs it (the chart sets the rest of its environment);
# the same image holds the knoe CLI. Local mode needs the scoring function beside it: use a clone.
FROM eclipse-temurin:17-jre-noble AS control
COPY --from=build /src/control/bin/knoe /opt/knoe/control/bin/knoe
COPY --from=build /src/control/target/quarkus-app /opt/knoe/control/target/quarkus-app
RUN ln -s /opt/knoe/control/bin/knoe /usr/local/bin/knoe
ENV KNOE_BACKEND=knative QUARKUS_HTTP_HOST=0.0.0.0
USER 1001
EXPOSE 8500
ENTRYPOINT ["/opt/knoe/control/bin/knoe"]
CMD ["serve", "--port", "8500"]

# ---------------------------------------------------------------- scoring function
# Its files laid out as its launchers expect (bin/ beside target/quarkus-app, samples/ beside
# scoring-function/ for the AOT training run), shared by both scoring images.
FROM scratch AS scoring-layout
COPY --from=build /src/scoring-function/bin /opt/knoe/scoring-function/bin
COPY --from=build /src/scoring-function/target/quarkus-app /opt/knoe/scoring-function/target/quarkus-app
COPY --from=build /src/samples/models/model-1 /opt/knoe/samples/models/model-1
COPY --from=build /src/samples/requests /opt/knoe/samples/requests

# CPU: JDK 25 for the AOT cache (made here, by a training run on the sample model, with the same JVM
# and paths the pods use) and ONNX Runtime's CPU libraries unpacked ahead, so a cold start does
# neither.
FROM eclipse-temurin:25-jre-noble AS scoring-function
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
ENV KNOE_NATIVE_DIR=/opt/knoe/native
COPY --from=scoring-layout --chown=1001:1001 /opt/knoe /opt/knoe
RUN install -d -o 1001 -g 1001 /opt/knoe/native
USER 1001
RUN KNOE_JAVA=/opt/java/openjdk/bin/java /opt/knoe/scoring-function/bin/aot-train
EXPOSE 8080
ENTRYPOINT ["/opt/knoe/scoring-function/bin/knoe-scoring-function"]

# CUDA: ONNX Runtime 1.29's CUDA provider needs CUDA 12 and cuDNN 9 beside it. The training run asks
# for CUDA so its provider is unpacked here too (with no GPU at build time it logs the CPU fallback).
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 AS scoring-function-cuda
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY --from=eclipse-temurin:25-jre-noble /opt/java/openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:$PATH KNOE_NATIVE_DIR=/opt/knoe/native
COPY --from=scoring-layout --chown=1001:1001 /opt/knoe /opt/knoe
RUN install -d -o 1001 -g 1001 /opt/knoe/native
USER 1001
RUN KNOE_JAVA=/opt/java/openjdk/bin/java KNOE_DEVICE=cuda /opt/knoe/scoring-function/bin/aot-train
EXPOSE 8080
ENTRYPOINT ["/opt/knoe/scoring-function/bin/knoe-scoring-function"]
