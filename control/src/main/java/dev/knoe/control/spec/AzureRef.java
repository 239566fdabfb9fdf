package dev.knoe.control.spec;

/**
 * Azure ML's asset references, as Azure specs write them: {@code azureml:name:version}, {@code
 * azureml:name@label} and the {@code azureml://registries/...} or {@code azureml://datastores/...}
 * URIs. Knoe reads {@code azureml:name:version} of a model as its own {@code name:version} (see
 * {@link ModelRef#parse}); the other forms name Azure assets Knoe does not have.
 */
public final class AzureRef {

  /** What every Azure asset reference starts with. */
  public static final String PREFIX = "azureml:";

  private AzureRef() {}

  /** Whether the text refers to an Azure asset, e.g. a code asset {@code azureml:score-code:1}. */
  public static boolean isAsset(String text) {
    return text != null && text.startsWith(PREFIX);
  }

  /** Whether the text is an Azure registry or datastore URI ({@code azureml://...}). */
  public static boolean isUri(String text) {
    return text != null && text.startsWith(PREFIX + "//");
  }

  /** The text without a leading {@code azureml:}: {@code azureml:fraud:3} is {@code fraud:3}. */
  public static String strip(String text) {
    return isAsset(text) ? text.substring(PREFIX.length()) : text;
  }
}
