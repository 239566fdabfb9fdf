package dev.knoe.control.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one reading of a registered model written as text (the spec, the CLI, the cluster). */
class ModelRefTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "fraud:3, fraud, 3",
    "azureml:fraud:3, fraud, 3",
    "azureml:fraud-v2.onnx:rc-1, fraud-v2.onnx, rc-1",
  })
  void parsesNameAndVersion(String text, String name, String version) {
    assertEquals(ModelRef.registered(name, version), ModelRef.parse(text));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "azureml:fraud@latest | model 'azureml:fraud@latest' asks for a label; Knoe pins a"
            + " deployment to one version: write name:version",
        "azureml://registries/r/models/fraud/versions/3 | model"
            + " 'azureml://registries/r/models/fraud/versions/3' is an Azure registry or datastore"
            + " URI; give a Knoe model as name:version, or model: {path: ...}",
        "./model | model './model' looks like a path; write model: {path: ./model}",
        "azureml:fraud | model 'azureml:fraud' has no version; write name:version, e.g. fraud:1",
        "a:b:c | model 'a:b:c' is not name:version",
      })
  void refuses(String text, String problem) {
    var e = assertThrows(SpecException.class, () -> ModelRef.parse(text));
    assertEquals(List.of(problem), e.problems());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"azureml:fraud:3, fraud:3", "fraud:3, fraud:3", "azureml://x, //x"})
  void stripsTheAzurePrefix(String text, String stripped) {
    assertEquals(stripped, AzureRef.strip(text));
  }
}
