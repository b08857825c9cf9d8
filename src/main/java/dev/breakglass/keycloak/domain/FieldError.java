package dev.breakglass.keycloak.domain;

/** A validation problem tied to one named input (a policy key or a form field). */
public record FieldError(String field, String message) {}
