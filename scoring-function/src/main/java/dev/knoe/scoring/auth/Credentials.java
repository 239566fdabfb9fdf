package dev.knoe.scoring.auth;

import dev.knoe.scoring.config.ScoringConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The deployment's one {@link Authenticator}, shared by HTTP and gRPC so both accept exactly the
 * same keys and tokens (and read the files once); empty when {@code KNOE_AUTH} is not {@code
 * required}.
 */
@ApplicationScoped
public class Credentials {

  @Inject ScoringConfig config;

  private Authenticator authenticator;

  @PostConstruct
  void init() {
    if (config.auth() == ScoringConfig.AuthMode.required) {
      authenticator =
          new Authenticator(
              config.keysFile().map(Path::of),
              config.jwtPublicKeyFile().map(Path::of),
              config
                  .jwtAudience()
                  .or(config::endpointName)
                  .orElseGet(() -> config.modelName().orElse("knoe")),
              System::nanoTime);
    }
  }

  public Optional<Authenticator> authenticator() {
    return Optional.ofNullable(authenticator);
  }
}
