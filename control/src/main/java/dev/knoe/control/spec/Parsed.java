package dev.knoe.control.spec;

import java.util.List;
import java.util.Objects;

/**
 * A spec that parsed, with the warnings to show its author (Azure keys Knoe accepts but ignores).
 *
 * @param spec the validated spec
 * @param warnings one sentence each, naming the key; empty when there is nothing to say
 */
public record Parsed<T>(T spec, List<String> warnings) {
  public Parsed {
    Objects.requireNonNull(spec, "spec");
    warnings = List.copyOf(warnings);
  }
}
