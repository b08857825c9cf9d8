package dev.breakglass.keycloak;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering the README's "Code map" describes: domain values at the ground, the store (the only
 * place that touches JPA), services, then the Keycloak-facing adapters. Dependencies point down
 * only, and no two packages depend on each other.
 */
class ArchitectureTest {

  private static final String ROOT = "dev.breakglass.keycloak";
  private static final String[] SERVICES = {
    ROOT + ".policy..",
    ROOT + ".grant..",
    ROOT + ".audit..",
    ROOT + ".alert..",
    ROOT + ".drift..",
    ROOT + ".drill..",
    ROOT + ".report..",
    ROOT + ".metrics..",
    ROOT + ".approval..",
    ROOT + ".sweeper..",
    ROOT + ".ticket.."
  };
  private static final String[] ADAPTERS = {
    ROOT + ".gate..",
    ROOT + ".activation..",
    ROOT + ".attestation..",
    ROOT + ".token..",
    ROOT + ".listener..",
    ROOT + ".admin..",
    ROOT + ".userapi.."
  };

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
  }

  /** An ArchUnit rule's result, failed with its report when it has a violation. */
  private static void assertHolds(EvaluationResult result) {
    assertFalse(result.hasViolation(), result.getFailureReport().toString());
  }

  /** The rules would pass on nothing: every layer they name must have classes to check. */
  @Test
  void everyLayerHasClassesToCheck() {
    assertTrue(main.size() > 80, "main classes imported: " + main.size());
    for (String pkg :
        List.of("domain", "store", "grant", "audit", "alert", "gate", "activation", "admin")) {
      assertTrue(
          main.stream().anyMatch(c -> c.getPackageName().equals(ROOT + "." + pkg)),
          "no classes found in " + pkg);
    }
  }

  @Test
  void noCyclesBetweenPackages() {
    assertHolds(slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().evaluate(main));
  }

  @Test
  void onlyTheStoreTouchesJpa() {
    assertHolds(
        noClasses()
            .that()
            .resideOutsideOfPackage(ROOT + ".store..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "jakarta.persistence..", "org.keycloak.connections.jpa..", "org.hibernate..")
            .evaluate(main));
  }

  @Test
  void theDomainStandsOnJavaAlone() {
    assertHolds(
        classes()
            .that()
            .resideInAPackage(ROOT + ".domain..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(ROOT + ".domain..", "java..")
            .evaluate(main));
  }

  @Test
  void layersPointDown() {
    assertHolds(
        layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("Domain")
            .definedBy(ROOT + ".domain..")
            .layer("Store")
            .definedBy(ROOT + ".store..")
            .layer("Services")
            .definedBy(SERVICES)
            .layer("Adapters")
            .definedBy(ADAPTERS)
            .whereLayer("Adapters")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("Services")
            .mayOnlyBeAccessedByLayers("Adapters")
            .whereLayer("Store")
            .mayOnlyBeAccessedByLayers("Services", "Adapters")
            .evaluate(main));
  }

  @Test
  void adaptersDoNotDependOnEachOther() {
    for (String adapter : ADAPTERS) {
      String[] others =
          Arrays.stream(ADAPTERS).filter(a -> !a.equals(adapter)).toArray(String[]::new);
      assertHolds(
          noClasses()
              .that()
              .resideInAPackage(adapter)
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(others)
              .evaluate(main));
    }
  }
}
