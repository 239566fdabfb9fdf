package dev.knoe.control.spec;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Custom scoring code: a Java class implementing {@code dev.knoe.spi.ScoringHandler} (Azure's
 * {@code score.py} {@code init()}/{@code run()} contract in Java). Without it a deployment scores
 * its ONNX model with no code.
 *
 * @param code the folder of classes or the jar holding the handler; resolved against the YAML
 *     file's folder like model paths; null when the class is already on the scoring function's
 *     class path
 * @param scoringScript the handler's fully qualified class name, e.g. {@code com.example.Score}
 */
public record CodeConfiguration(String code, String scoringScript) {

  static final String SPI = "dev.knoe.spi.ScoringHandler";

  private static final Pattern CLASS_NAME =
      Pattern.compile("^([a-zA-Z_$][a-zA-Z0-9_$]*\\.)*[a-zA-Z_$][a-zA-Z0-9_$]*$");

  public CodeConfiguration {
    var check = new Check();
    code = Check.nonBlank(code);
    scoringScript = Check.nonBlank(scoringScript);
    String key = "code_configuration.scoring_script";
    if (scoringScript == null) {
      check.add(key + " is required: the class name of a " + SPI);
    } else if (scoringScript.toLowerCase(Locale.ROOT).endsWith(".py")) {
      check.add(
          key
              + " '"
              + scoringScript
              + "' is a Python script; Knoe scores ONNX models, with"
              + " optional Java handlers: give the class name of a "
              + SPI);
    } else if (!CLASS_NAME.matcher(scoringScript).matches()) {
      String guess =
          scoringScript.replaceFirst("\\.(java|class)$", "").replace('/', '.').replace('\\', '.');
      check.add(
          key
              + " '"
              + scoringScript
              + "' is not a Java class name; give the class name of a "
              + SPI
              + (CLASS_NAME.matcher(guess).matches() ? ", e.g. " + guess : ""));
    }
    if (AzureRef.isAsset(code)) {
      check.add(
          "code_configuration.code '" + code + "' is an Azure code asset; give a folder or jar");
    }
    check.throwIfAny();
  }
}
