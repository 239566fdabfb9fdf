package dev.knoe.control.cluster;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The spec of a Knoe custom resource: the Azure ML YAML (endpoint.yml or deployment.yml) as a free
 * tree, so that {@code kubectl apply} of {@code spec: <the file's contents>} round-trips whatever
 * it holds ({@code $schema} and Azure keys Knoe ignores included); {@link SpecTrees} parses it.
 */
public final class AzureYamlSpec {

  private final Map<String, Object> fields = new LinkedHashMap<>();

  public AzureYamlSpec() {}

  public AzureYamlSpec(Map<String, ?> fields) {
    this.fields.putAll(fields);
  }

  @JsonAnyGetter
  public Map<String, Object> getFields() {
    return fields;
  }

  @JsonAnySetter
  public void set(String key, Object value) {
    fields.put(key, value);
  }

  /** A top-level string field, or null when absent or not a string. */
  @JsonIgnore
  public String string(String key) {
    return fields.get(key) instanceof String s ? s : null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AzureYamlSpec other && fields.equals(other.fields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(fields);
  }

  @Override
  public String toString() {
    return fields.toString();
  }
}
