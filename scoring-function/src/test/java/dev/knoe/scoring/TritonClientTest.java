package dev.knoe.scoring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * tritonclient.http, a real third-party client in a child process, against the scoring function
 * serving every datatype: binary tensor data in and out, all JSON, and mixed, each output compared
 * with numpy's.
 */
@QuarkusTest
@TestProfile(Profiles.Types.class)
class TritonClientTest {

  @TestHTTPResource URL server;

  @Test
  void tritonclientGetsEveryDatatypeAsNumpyComputesIt() throws Exception {
    String out =
        PythonClient.run(
            PythonClient.TRITON_CHECK, server.getHost() + ":" + server.getPort(), "types", "types");
    assertTrue(out.contains("ok binary in, binary out"), out);
    assertTrue(out.contains("ok binary in, binary_data_output"), out);
    assertTrue(out.contains("ok JSON in, JSON out"), out);
    assertTrue(out.contains("ok mixed binary and JSON"), out);
  }
}
