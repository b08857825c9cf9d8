package dev.breakglass.keycloak.domain;

/** Where an alert in the outbox stands. */
public enum AlertStatus {
  /** Waiting for its first or next attempt. */
  PENDING,
  /** Taken by its channel (webhook 2xx, SMTP accepted). */
  DELIVERED,
  /** Given up after the retry window; logged as an error and counted. */
  FAILED
}
