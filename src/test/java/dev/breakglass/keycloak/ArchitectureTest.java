package dev.breakglass.keycloak;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Arrays;
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
    ROOT + ".sweeper.."
  };
  private static final String[] ADAPTERS = {
    ROOT + ".gate..",
    ROOT + ".activation..",
    ROOT + ".attestation..",
    ROOT + ".token..",
    ROOT + ".listener..",
    ROOT + ".admin.."
  };

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
  }

  @Test
  void noCyclesBetweenPackages() {
    slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  void onlyTheStoreTouchesJpa() {
    noClasses()
        .that()
        .resideOutsideOfPackage(ROOT + ".store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "jakarta.persistence..", "org.keycloak.connections.jpa..", "org.hibernate..")
        .check(main);
  }

  @Test
  void theDomainStandsOnJavaAlone() {
    classes()
        .that()
        .resideInAPackage(ROOT + ".domain..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(ROOT + ".domain..", "java..")
        .check(main);
  }

  @Test
  void layersPointDown() {
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
        .check(main);
  }

  @Test
  void adaptersDoNotDependOnEachOther() {
    for (String adapter : ADAPTERS) {
      String[] others =
          Arrays.stream(ADAPTERS).filter(a -> !a.equals(adapter)).toArray(String[]::new);
      noClasses()
          .that()
          .resideInAPackage(adapter)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(others)
          .check(main);
    }
  }
}
