package dev.knoe.control.spec;

import java.util.regex.Pattern;

/**
 * The model a deployment serves: either a folder or file given inline ({@code model: {path:
 * ./model/}}, registered as an anonymous version when the deployment is created, as the Azure CLI
 * does) or a registered model ({@code model: name:version}). Exactly one of {@code path} and {@code
 * name} is set.
 *
 * @param path the model folder or {@code .onnx} file; absolute and normalized when the spec was
 *     parsed with a base folder, else as written (normalized)
 * @param name a registered model's name
 * @param version the registered version, required with {@code name}; null with {@code path}
 */
public record ModelRef(String path, String name, String version) {

  private static final Pattern VERSION = Pattern.compile("^[a-zA-Z0-9][-_.a-zA-Z0-9]{0,63}$");

  public ModelRef {
    var check = new Check();
    path = Check.nonBlank(path);
    name = Check.nonBlank(name);
    version = Check.nonBlank(version);
    if (path != null && name != null) {
      check.add(
          "model gives both path and name; give path for a model folder or file, or name and"
              + " version for a registered model");
    } else if (path == null && name == null) {
      check.add(
          "model gives neither path nor name; write model: {path: ./model/} or model:"
              + " name:version");
    } else if (path != null) {
      if (version != null) {
        check.add("model.version is for a registered model (name), not for a path");
      }
    } else {
      Names.MODEL.check(check, "model.name", name);
      if (version == null) {
        check.add("model.version is required with model.name, e.g. model: " + name + ":1");
      } else if (!VERSION.matcher(version).matches()) {
        check.add(
            "model.version '"
                + version
                + "' must start with a letter or digit and hold only"
                + " letters, digits, '-', '_' and '.'");
      }
    }
    check.throwIfAny();
  }

  public static ModelRef inline(String path) {
    return new ModelRef(path, null, null);
  }

  public static ModelRef registered(String name, String version) {
    return new ModelRef(null, name, version);
  }

  /**
   * A registered model written as text: {@code name:version}, or Azure's {@code
   * azureml:name:version}, the form every Knoe reader of a model reference accepts.
   *
   * @throws SpecException for a label ({@code name@latest}), an Azure URI, a path, a missing
   *     version, or a name or version with characters a model may not have
   */
  public static ModelRef parse(String text) {
    String ref = AzureRef.strip(text);
    if (AzureRef.isUri(text)) {
      throw new SpecException(
          "model '"
              + text
              + "' is an Azure registry or datastore URI; give a Knoe model as"
              + " name:version, or model: {path: ...}");
    } else if (ref.contains("@")) {
      throw new SpecException(
          "model '"
              + text
              + "' asks for a label; Knoe pins a deployment to one version: write"
              + " name:version");
    } else if (ref.contains("/") || ref.contains("\\") || ref.startsWith(".")) {
      throw new SpecException(
          "model '" + text + "' looks like a path; write model: {path: " + text + "}");
    } else if (!ref.contains(":")) {
      throw new SpecException(
          "model '" + text + "' has no version; write name:version, e.g. " + ref + ":1");
    } else if (ref.indexOf(':') != ref.lastIndexOf(':')) {
      throw new SpecException("model '" + text + "' is not name:version");
    }
    int colon = ref.indexOf(':');
    return registered(ref.substring(0, colon), ref.substring(colon + 1));
  }

  /** True for a {@code path} (not yet registered), false for {@code name:version}. */
  public boolean isInline() {
    return path != null;
  }

  /** The path, or {@code name:version}: what a message or a listing shows. */
  public String reference() {
    return isInline() ? path : name + ":" + version;
  }
}
