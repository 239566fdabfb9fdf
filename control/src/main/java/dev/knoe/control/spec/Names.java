package dev.knoe.control.spec;

import java.util.Optional;
import java.util.regex.Pattern;

/** The naming rule for endpoints and deployments (Azure's rule, which Knoe keeps). */
public final class Names {

  public static final int MIN_LENGTH = 3;
  public static final int MAX_LENGTH = 32;
  public static final Pattern PATTERN = Pattern.compile("^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$");

  private Names() {}

  public static boolean isValid(String name) {
    return problem("name", name).isEmpty();
  }

  /**
   * What is wrong with {@code name}, if anything, as a sentence about {@code key}: {@code "name
   * 'ab' is 2 characters; endpoint and deployment names have 3 to 32"}.
   */
  public static Optional<String> problem(String key, String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of(key + " is required");
    }
    if (name.length() < MIN_LENGTH || name.length() > MAX_LENGTH) {
      return Optional.of(
          key
              + " '"
              + name
              + "' is "
              + name.length()
              + " characters; endpoint and deployment names"
              + " have "
              + MIN_LENGTH
              + " to "
              + MAX_LENGTH);
    }
    if (!PATTERN.matcher(name).matches()) {
      return Optional.of(
          key
              + " '"
              + name
              + "' must start with a letter and hold only letters, digits and '-'"
              + " (not at the end)");
    }
    return Optional.empty();
  }

  static void check(Check check, String key, String name) {
    problem(key, name).ifPresent(check::add);
  }
}
