package dev.knoe.control.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.knoe.control.knative.InstanceTypeCatalog;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class JvmMemoryTest {

  record Bound(String name, String instanceType, List<String> flags) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Bound> bounds() {
    return Stream.of(
        new Bound(
            "cpu-small, 2Gi: 1 GiB heap",
            "cpu-small",
            List.of("-XX:MaxRAM=2147483648", "-XX:MaxRAMPercentage=50.0")),
        new Bound(
            "cpu-medium, 4Gi",
            "cpu-medium",
            List.of("-XX:MaxRAM=4294967296", "-XX:MaxRAMPercentage=50.0")),
        new Bound(
            "Azure SKU Standard_DS4_v2 -> cpu-large, 8Gi",
            "Standard_DS4_v2",
            List.of("-XX:MaxRAM=8589934592", "-XX:MaxRAMPercentage=50.0")),
        new Bound(
            "gpu-small, 16Gi",
            "gpu-small",
            List.of("-XX:MaxRAM=17179869184", "-XX:MaxRAMPercentage=50.0")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bounds")
  void flagsFromTheInstanceTypesMemory(Bound b) {
    assertEquals(
        b.flags(), JvmMemory.flags(InstanceTypeCatalog.DEFAULT.require(b.instanceType()).memory()));
  }

  @Test
  void decimalUnits() {
    assertEquals(
        List.of("-XX:MaxRAM=1500000000", "-XX:MaxRAMPercentage=50.0"), JvmMemory.flags("1.5G"));
  }

  record Opts(String name, List<String> bound, String user, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Opts> opts() {
    List<String> small = List.of("-XX:MaxRAM=2147483648", "-XX:MaxRAMPercentage=50.0");
    return Stream.of(
        new Opts("no user options", small, null, "-XX:MaxRAM=2147483648 -XX:MaxRAMPercentage=50.0"),
        new Opts(
            "blank user options", small, "  ", "-XX:MaxRAM=2147483648 -XX:MaxRAMPercentage=50.0"),
        new Opts(
            "user's -Xmx after the bound, so it wins",
            small,
            "-Xmx300m ",
            "-XX:MaxRAM=2147483648 -XX:MaxRAMPercentage=50.0 -Xmx300m"),
        new Opts("no bound: the user's as given", List.of(), "-Xmx300m", "-Xmx300m"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("opts")
  void javaOpts(Opts o) {
    assertEquals(o.expected(), JvmMemory.javaOpts(o.bound(), o.user()));
  }

  @Test
  void noMemoryNoFlags() {
    assertEquals(List.of(), JvmMemory.flags(null));
  }
}
