package dev.knoe.control.spec;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The name rules, one per kind of thing Knoe keeps by name. Every such name becomes a folder or
 * file name under the data directory ({@code endpoints/<endpoint>/deployments/<deployment>.json},
 * {@code code/} and {@code logs/<endpoint>/<deployment>/}, {@code models/<model>/<version>.json}),
 * so no rule admits what a path could read differently: no {@code /}, {@code \}, NUL, {@code .} or
 * {@code ..}, nothing longer than a file name may be, and not the names of the folders a store
 * keeps beside them. The API checks a name before anything else; whatever builds a path from one
 * checks it again with the same rule.
 */
public final class Names {

  private static final Pattern AZURE = Pattern.compile("^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$");

  /** Azure's rule for endpoint names, which Knoe keeps: 3 to 32 characters, a letter first. */
  public static final Rule ENDPOINT = azure("endpoint");

  /** Azure's rule for deployment names: the endpoints' rule. */
  public static final Rule DEPLOYMENT = azure("deployment");

  /**
   * Azure's rule for model names (255 is also the longest file name on Linux and macOS), less the
   * registry's own folder: {@code blobs}, refused in any case, as a case-insensitive file system
   * (macOS's default) would find {@code Blobs} there too.
   */
  public static final Rule MODEL =
      new Rule(
          "model",
          "model names",
          1,
          255,
          Pattern.compile("^[a-zA-Z0-9][-_.a-zA-Z0-9]*$"),
          "must start with a letter or digit and hold only letters, digits, '-', '_' and '.'",
          Set.of("blobs"));

  private Names() {}

  private static Rule azure(String kind) {
    return new Rule(
        kind,
        "endpoint and deployment names",
        3,
        32,
        AZURE,
        "must start with a letter and hold only letters, digits and '-' (not at the end)",
        Set.of());
  }

  /**
   * The rule of one kind of name.
   *
   * @param kind what is named, as messages say it ({@code "endpoint"})
   * @param plural the names the length bounds are about, in messages
   * @param minLength fewest characters
   * @param maxLength most characters
   * @param pattern what the whole name must match
   * @param allowed {@code pattern} in words, after the name in a message
   * @param reserved names a store keeps for itself, compared ignoring case
   */
  public record Rule(
      String kind,
      String plural,
      int minLength,
      int maxLength,
      Pattern pattern,
      String allowed,
      Set<String> reserved) {

    public boolean isValid(String name) {
      return problem("name", name).isEmpty();
    }

    /**
     * What is wrong with {@code name}, if anything, as a sentence about {@code key}: {@code "name
     * 'ab' is 2 characters; endpoint and deployment names have 3 to 32"}.
     */
    public Optional<String> problem(String key, String name) {
      if (name == null || name.isEmpty()) {
        return Optional.of(key + " is required");
      }
      if (name.length() < minLength || name.length() > maxLength) {
        return Optional.of(
            key
                + " "
                + shown(name)
                + " is "
                + name.length()
                + " characters; "
                + plural
                + " have "
                + minLength
                + " to "
                + maxLength);
      }
      if (!pattern.matcher(name).matches()) {
        return Optional.of(key + " " + shown(name) + " " + allowed);
      }
      if (reserved.stream().anyMatch(name::equalsIgnoreCase)) {
        return Optional.of(
            key
                + " "
                + shown(name)
                + " is reserved: the data directory keeps a folder of that name");
      }
      return Optional.empty();
    }

    /**
     * {@code name} if it keeps the rule, for whatever builds a path from it.
     *
     * @throws SpecException naming the problem, as {@code "endpoint name 'a/b' must ..."}
     */
    public String require(String name) {
      problem(kind + " name", name)
          .ifPresent(
              p -> {
                throw new SpecException(p);
              });
      return name;
    }

    void check(Check check, String key, String name) {
      problem(key, name).ifPresent(check::add);
    }
  }

  /** The name in quotes, control characters (a NUL) written as {@code \}{@code u0000}. */
  private static String shown(String name) {
    StringBuilder b = new StringBuilder("'");
    name.codePoints()
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
              } else {
                b.appendCodePoint(c);
              }
            });
    return b.append('\'').toString();
  }
}
