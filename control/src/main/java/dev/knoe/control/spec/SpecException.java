package dev.knoe.control.spec;

import java.util.List;

/**
 * A spec that cannot be accepted, with every problem found (not just the first), each a sentence
 * that names its key, e.g. {@code "scale_settings.max_instances = 0, must be at least 1"}.
 */
public final class SpecException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public SpecException(List<String> problems) {
    super(join(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a SpecException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  public SpecException(String problem) {
    this(List.of(problem));
  }

  /** Every problem, in the order found; never empty. */
  public List<String> problems() {
    return problems;
  }

  private static String join(List<String> problems) {
    return problems.size() == 1
        ? problems.get(0)
        : problems.size() + " problems: " + String.join("; ", problems);
  }
}
