package dev.breakglass.keycloak.store;

import java.util.List;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProvider;

/** Registers the extension's tables with Keycloak's database. */
public class BreakGlassJpaEntityProvider implements JpaEntityProvider {

  private static final List<Class<?>> ENTITIES =
      List.of(
          GrantEntity.class,
          AuditRecordEntity.class,
          AuditHeadEntity.class,
          JobEntity.class,
          DriftEntity.class,
          AlertEntity.class,
          DrillEntity.class,
          GovernedRoleEntity.class,
          PolicySnapshotEntity.class,
          IncidentCloseEntity.class);

  @Override
  public List<Class<?>> getEntities() {
    return ENTITIES;
  }

  @Override
  public String getChangelogLocation() {
    return "META-INF/breakglass-changelog-master.xml";
  }

  @Override
  public String getFactoryId() {
    return BreakGlassJpaEntityProviderFactory.PROVIDER_ID;
  }

  @Override
  public void close() {}
}
