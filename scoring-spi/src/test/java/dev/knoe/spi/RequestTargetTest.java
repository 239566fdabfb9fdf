package dev.knoe.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestTargetTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/score",
        "/",
        "/score/",
        "/SCORE",
        "/v2/models/m/versions/1/infer?x=../../y",
        "/endpoints/my-endpoint/score#..",
        "/a.b/c..d/...",
        "/%41pi/%7e",
        "http://localhost:8080/score",
        "HTTP://LOCALHOST:8080",
      })
  void canonicalTargetsPass(String target) {
    assertEquals(Optional.empty(), RequestTarget.problem(target, "localhost:8080"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/health/../../score",
        "/v2/health/live/../../../score",
        "/./score",
        "/score/.",
        "/score/..",
        "/v2/health/%2e%2e/%2e%2e/score",
        "/v2/health/.%2E/score",
        "/v2/health/live%2f..%2f..%2fscore",
        "/v2/health/live%5c..%5cscore",
        "/v2\\health\\..\\..\\score",
        "//score",
        "/v2//models",
        "/score%00",
        "/score%0a",
        "/sco\u0000re",
        "http://evil.example/score",
        "http://localhost:8080/v2/health/../../score",
        "*",
        "localhost:8080",
        "",
      })
  void everyOtherTargetIsRefusedWithTheReason(String target) {
    Optional<String> problem = RequestTarget.problem(target, "localhost:8080");
    assertTrue(problem.isPresent(), target);
    assertTrue(!problem.get().contains("\u0000"), "no raw control character is echoed");
  }

  @org.junit.jupiter.api.Test
  void theReasonNamesWhatIsWrong() {
    assertTrue(
        RequestTarget.problem("/v2/health/../../score", "h")
            .orElseThrow()
            .contains("a '.' or '..' segment"));
    assertTrue(
        RequestTarget.problem("http://evil/score", "localhost")
            .orElseThrow()
            .contains("host 'evil'"));
    assertTrue(
        RequestTarget.problem("/" + "a".repeat(5000) + "/..", "h").orElseThrow().length() < 400);
  }
}
