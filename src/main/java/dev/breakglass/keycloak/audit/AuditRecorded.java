package dev.breakglass.keycloak.audit;

import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.store.AuditRecordEntity;
import java.util.Map;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderEvent;

/**
 * Published, in the appending transaction, for every record added to an audit chain. The alert
 * outbox and the metrics subscribe: what they write commits with the record, or not at all. {@code
 * details} are the record's details as the caller gave them (the record holds them as JSON).
 */
public record AuditRecorded(
    KeycloakSession session, RealmModel realm, AuditRecordEntity record, Map<String, ?> details)
    implements ProviderEvent {

  public AuditEventType type() {
    return AuditEventType.valueOf(record.getType());
  }

  @Override
  public KeycloakSession getKeycloakSession() {
    return session;
  }
}
