package dev.knoe.scoring.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.knoe.scoring.config.ScoringConfig.Device;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DevicePlanTest {

  record Case(String name, Device requested, boolean gpu, boolean tryCuda) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("cpu never touches CUDA, even with a GPU", Device.cpu, true, false),
        new Case("cpu without a GPU", Device.cpu, false, false),
        new Case("cuda is tried when asked, GPU or not", Device.cuda, false, true),
        new Case("auto with a GPU tries CUDA", Device.auto, true, true),
        new Case("auto without a GPU stays on CPU", Device.auto, false, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void choosesTheProvider(Case c) {
    assertEquals(c.tryCuda(), DevicePlan.choose(c.requested(), c.gpu()).tryCuda());
  }
}
