#!/usr/bin/env bash
# Builds the provider, fetches Keycloak from Maven Central, installs the provider, imports the
# demo realm and starts Keycloak in dev mode (embedded H2) on http://localhost:8080.
set -euo pipefail
cd "$(dirname "$0")"

KC_VERSION=$(sed -n 's:.*<keycloak.dist.version>\(.*\)</keycloak.dist.version>.*:\1:p' pom.xml)
KC_PORT="${KC_PORT:-8080}"
DIST_DIR="target/keycloak-dist"
KC_HOME="$DIST_DIR/keycloak-$KC_VERSION"

echo "==> Building the provider"
mvn -B -q -DskipTests package

if [ ! -x "$KC_HOME/bin/kc.sh" ]; then
  echo "==> Fetching Keycloak $KC_VERSION (org.keycloak:keycloak-quarkus-dist) from Maven Central"
  mvn -B -q dependency:unpack -Dmdep.overWriteReleases=true \
    -Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" \
    -DoutputDirectory="$DIST_DIR"
  chmod +x "$KC_HOME/bin/kc.sh"
fi

echo "==> Installing the provider and the demo realm"
cp target/keycloak-breakglass.jar "$KC_HOME/providers/"
mkdir -p "$KC_HOME/data/import"
cp realm-config/*.json "$KC_HOME/data/import/"

cat <<MSG

  Keycloak $KC_VERSION with keycloak-breakglass is starting on http://localhost:$KC_PORT

  Admin console:  http://localhost:$KC_PORT/admin/   (user admin, password admin: demo only)
  Break-glass login (demo realm breakglass-demo, client ops-console):
    http://localhost:$KC_PORT/realms/breakglass-demo/protocol/openid-connect/auth?client_id=ops-console&response_type=code&scope=openid&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&code_challenge_method=S256&code_challenge=olDkj9o10RGQC0lY2AYc_gnWKFDoTW8v1T-6ghu7gUU
  Users (password = user name, demo only): responder (eligible), alice (not eligible), approver, auditor
  (ops-console is a public client with PKCE; the code verifier for this demo link is
   breakglass-demo-code-verifier-0123456789-abcdefgh.) See README.md for turning the code into a token.

MSG

# Options shared with docker/ and the integration tests; a variable already set here wins.
while IFS='=' read -r key value; do
  case "$key" in
    KC_*) if [ -z "${!key:-}" ]; then export "$key=$value"; fi ;;
  esac
done < docker/keycloak.env
exec "$KC_HOME/bin/kc.sh" start-dev --import-realm --http-port="$KC_PORT" "$@"
