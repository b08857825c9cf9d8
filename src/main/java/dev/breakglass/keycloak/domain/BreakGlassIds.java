package dev.breakglass.keycloak.domain;

/**
 * Names shared across the parts: provider ids (public names, see DESIGN.md), the notes one step of
 * a login leaves for the next, and the refusal page. Here, so no part imports another for a name.
 */
public final class BreakGlassIds {

  public static final String AUTHENTICATOR = "break-glass-authenticator";
  public static final String ACTIVATE_ACTION = "break-glass-activate";
  public static final String ATTEST_ACTION = "break-glass-attest";
  public static final String EVENT_LISTENER = "break-glass";
  public static final String TOKEN_CAP_MAPPER = "break-glass-token-cap";
  public static final String ADMIN_RESOURCE = "break-glass";

  /** The required action whose per-realm config is the policy (its alias equals its id). */
  public static final String POLICY_HOLDER = ACTIVATE_ACTION;

  /** Auth-session note naming the grant this login activated; later steps of the login see it. */
  public static final String ACTIVATED_NOTE = "break-glass.activated-grant";

  /**
   * Session attribute set by the activation to the new grant's id: the login that activates a grant
   * is part of the activation, not its first use.
   */
  public static final String ACTIVATING_GRANT_ATTRIBUTE = "break-glass.activating-grant";

  /** Login template of every refusal (gate and activation). */
  public static final String DENIED_TEMPLATE = "break-glass-denied.ftl";

  private BreakGlassIds() {}
}
