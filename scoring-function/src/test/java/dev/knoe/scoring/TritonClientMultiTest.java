package dev.knoe.scoring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import org.junit.jupiter.api.Test;

/** tritonclient.http with FP32 tensors, two inputs and two outputs, on the 'adder' model. */
@QuarkusTest
@TestProfile(Profiles.Multi.class)
class TritonClientMultiTest {

  @TestHTTPResource URL server;

  @Test
  void tritonclientGetsFp32SumAndProductAsNumpyComputesThem() throws Exception {
    String out =
        PythonClient.run(
            PythonClient.TRITON_CHECK, server.getHost() + ":" + server.getPort(), "adder", "multi");
    assertTrue(out.contains("ok mixed binary and JSON"), out);
  }
}
