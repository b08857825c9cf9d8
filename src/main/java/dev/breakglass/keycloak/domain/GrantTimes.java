package dev.breakglass.keycloak.domain;

/** Figures derived from a grant's times (epoch milliseconds). Pure. */
public final class GrantTimes {

  private GrantTimes() {}

  /**
   * How long after its end the grant's roles were really gone: after {@code expiresAt} for an
   * expired grant, after {@code endedAt} for one ended otherwise. Null while the grant is active.
   */
  public static Long expiryLag(
      String endReason, long expiresAt, Long endedAt, Long rolesRemovedAt) {
    if (rolesRemovedAt == null || endedAt == null) {
      return null;
    }
    long due = EndReason.EXPIRED.name().equals(endReason) ? expiresAt : endedAt;
    return Math.max(0, rolesRemovedAt - due);
  }
}
