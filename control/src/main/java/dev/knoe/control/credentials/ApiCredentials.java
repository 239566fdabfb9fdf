package dev.knoe.control.credentials;

import java.util.Optional;

/**
 * The control API's credentials: the admin key, which may do everything, and the optional
 * model-reader token, which may only download model files (a cluster's storage initializers). Only
 * their digests are kept, and a presented credential is compared in constant time.
 */
public final class ApiCredentials {

  private final byte[] admin;
  private final byte[] modelReader;

  public ApiCredentials(String adminKey, Optional<String> modelReaderToken) {
    this.admin = Secrets.sha256(adminKey);
    this.modelReader = modelReaderToken.filter(t -> !t.isBlank()).map(Secrets::sha256).orElse(null);
  }

  public boolean isAdmin(String credential) {
    return Secrets.matchesAny(credential, admin);
  }

  public boolean isModelReader(String credential) {
    return modelReader != null && Secrets.matchesAny(credential, modelReader);
  }
}
