package dev.knoe.scoring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * tritonclient (PyPI), a gRPC client that is not ours, against the types model: every datatype of
 * its signature through raw contents, the outputs compared with numpy's, concurrent calls, and the
 * statuses of an unknown model and a wrong datatype.
 */
@QuarkusTest
@TestProfile(Profiles.Types.class)
class GrpcTritonClientTest {

  @TestHTTPResource("/")
  URI base;

  @Test
  void tritonClientInfersEveryDatatypeAsNumpyComputesIt() throws Exception {
    String output =
        PythonClient.run(
            PythonClient.GRPC_CHECK,
            java.util.Map.of("KNOE_SAMPLES", TestModels.samples().toString()),
            base.getHost() + ":" + base.getPort(),
            "types");
    assertTrue(output.contains("checks as expected"), output);
  }
}
