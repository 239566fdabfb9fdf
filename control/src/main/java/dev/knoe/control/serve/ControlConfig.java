package dev.knoe.control.serve;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of {@code knoe serve}; {@code knoe.data-dir} is {@code KNOE_DATA_DIR}, and so on. */
@ConfigMapping(prefix = "knoe")
public interface ControlConfig {

  /** Where endpoints, deployments, models, keys and logs live; default {@code ~/.knoe/data}. */
  Optional<String> dataDir();

  /** The admin credential; default: made on first start and kept in {@code <data>/admin-key}. */
  Optional<String> adminKey();

  /** The scoring-function folder (its {@code bin/} launcher and {@code target/quarkus-app}). */
  Optional<String> scoringHome();

  /** Where {@code knoe serve} writes the CLI's config (URL and admin key); default {@code ~/.knoe/config.json}. */
  Optional<String> cliConfig();

  Models models();

  Tokens tokens();

  interface Models {
    /** Largest model upload, in bytes. */
    @WithDefault("2147483648")
    long maxBytes();
  }

  interface Tokens {
    /** How long an aml_token lives. */
    @WithDefault("PT1H")
    Duration ttl();
  }
}
