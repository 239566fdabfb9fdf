package dev.knoe.control.arch;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The control module's layers, top to bottom, each using only those below it:
 *
 * <pre>
 *   cli                         the knoe client (talks HTTP; renders with knative)
 *   serve                       wiring only: which implementations run
 *   api                         REST resources, JSON views, errors to HTTP
 *   endpoint  metrics           the endpoint service: local and cluster, one set of rules; the
 *                               figures behind the charts (the router's ring, or Prometheus)
 *   runtime  cluster            where deployments run: local processes, or the reconciler
 *   router   knative            the local data plane; what a cluster is given
 *   spec model credentials state scoring files   records and files, no service
 * </pre>
 *
 * and no package cycle anywhere.
 */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importMain() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.knoe.control");
  }

  static final String BASE_PACKAGES[] = {
    "dev.knoe.control.spec..",
    "dev.knoe.control.model..",
    "dev.knoe.control.credentials..",
    "dev.knoe.control.state..",
    "dev.knoe.control.scoring..",
    "dev.knoe.control.files.."
  };

  static ArchRule noCycles(String root) {
    return slices().matching(root + ".(*)..").should().beFreeOfCycles();
  }

  static final ArchRule LAYERS =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("Cli")
          .definedBy("dev.knoe.control.cli..")
          .layer("Serve")
          .definedBy("dev.knoe.control.serve..")
          .layer("Api")
          .definedBy("dev.knoe.control.api..")
          .layer("Endpoint")
          .definedBy("dev.knoe.control.endpoint..")
          .layer("Metrics")
          .definedBy("dev.knoe.control.metrics..")
          .layer("Runtime")
          .definedBy("dev.knoe.control.runtime..")
          .layer("Cluster")
          .definedBy("dev.knoe.control.cluster..")
          .layer("Router")
          .definedBy("dev.knoe.control.router..")
          .layer("Knative")
          .definedBy("dev.knoe.control.knative..")
          .layer("Base")
          .definedBy(BASE_PACKAGES)
          .whereLayer("Cli")
          .mayOnlyAccessLayers("Knative", "Base")
          .whereLayer("Serve")
          .mayOnlyAccessLayers(
              "Endpoint", "Metrics", "Runtime", "Cluster", "Router", "Knative", "Base")
          .whereLayer("Api")
          .mayOnlyAccessLayers("Endpoint", "Metrics", "Base")
          .whereLayer("Endpoint")
          .mayOnlyAccessLayers("Runtime", "Cluster", "Router", "Knative", "Base")
          .whereLayer("Metrics")
          .mayOnlyAccessLayers("Router", "Knative", "Base")
          .whereLayer("Runtime")
          .mayOnlyAccessLayers("Router", "Base")
          .whereLayer("Cluster")
          .mayOnlyAccessLayers("Knative", "Base")
          .whereLayer("Router")
          .mayOnlyAccessLayers("Base")
          .whereLayer("Knative")
          .mayOnlyAccessLayers("Base")
          .whereLayer("Base")
          .mayOnlyAccessLayers("Base");

  @Test
  void packagesHaveNoCycles() {
    noCycles("dev.knoe.control").check(classes);
  }

  @Test
  void layersOnlyUseTheLayersBelow() {
    LAYERS.check(classes);
  }

  /** The cycle rule is not vacuous: on two packages that use each other, it reports them. */
  @Test
  void aCycleIsReported() {
    JavaClasses fixture = new ClassFileImporter().importPackages("dev.knoe.archfixture.cycle");
    assertTrue(noCycles("dev.knoe.archfixture.cycle").evaluate(fixture).hasViolation());
  }
}
