#!/usr/bin/env bash
# The demo in one command: builds the provider, fetches Keycloak from Maven Central, installs the
# provider and the demo realm, starts the demo's alert receiver and Keycloak in dev mode (embedded
# H2), and prints the links once the demo realm answers. Ctrl-C stops both.
#   KC_PORT (8080)        Keycloak's HTTP port; extra arguments go to kc.sh start-dev,
#                         e.g. ./run.sh --http-management-port=19000
#   ALERT_PORT (8089)     the alert receiver's port on 127.0.0.1
#   KC_START_TIMEOUT (300) seconds to wait for the realm to answer
set -euo pipefail
cd "$(dirname "$0")"

KC_VERSION=$(sed -n 's:.*<keycloak.dist.version>\(.*\)</keycloak.dist.version>.*:\1:p' pom.xml)
KC_PORT="${KC_PORT:-8080}"
ALERT_PORT="${ALERT_PORT:-8089}"
KC_START_TIMEOUT="${KC_START_TIMEOUT:-300}"
DIST_DIR="target/keycloak-dist"
KC_HOME="$DIST_DIR/keycloak-$KC_VERSION"
KC_LOG="$PWD/target/keycloak.log"
ALERT_LOG="$PWD/target/alerts.log"
REALM_URL="http://localhost:$KC_PORT/realms/breakglass-demo"
# Public, demo only; demo/AlertReceiver.java checks signatures with the same two.
DEMO_WEBHOOK_SECRET=demo-only-webhook-secret-not-for-production
DEMO_OPERATOR_SECRET=demo-only-operator-secret-not-for-production

fail() {
  echo "run.sh: $*" >&2
  exit 1
}

for tool in java mvn curl; do
  command -v "$tool" >/dev/null || fail "$tool is needed but not on the PATH."
done
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Another server on the port would answer our readiness check in Keycloak's place.
port_in_use "$KC_PORT" && fail "port $KC_PORT is in use; stop what runs there or set KC_PORT."
port_in_use "$ALERT_PORT" && fail "port $ALERT_PORT is in use; stop what runs there or set ALERT_PORT."

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
# The demo policy alerts to the receiver: run.sh adds the webhook to the copy it imports (the
# realm file itself has none, so the integration tests that import it alert nowhere by default).
DEMO_REALM="$KC_HOME/data/import/breakglass-demo-realm.json"
sed -i.bak "s#\"blockActivationWhenOverdue\": \"false\"#&, \"webhookUrl\": \"http://127.0.0.1:$ALERT_PORT/alerts\", \"webhookSecret\": \"$DEMO_WEBHOOK_SECRET\"#" \
  "$DEMO_REALM"
rm -f "$DEMO_REALM.bak"
grep -q '"webhookUrl"' "$DEMO_REALM" || fail "could not add the alert webhook to $DEMO_REALM."
if [ -d "$KC_HOME/data/h2" ]; then
  echo "    (reusing the demo database of an earlier run: the realm file is imported only into an"
  echo "     empty one; rm -rf $KC_HOME/data/h2 to start from the realm file again)"
fi

# Options shared with docker/ and the integration tests; a variable already set here wins.
while IFS='=' read -r key value; do
  case "$key" in
    KC_*) if [ -z "${!key:-}" ]; then export "$key=$value"; fi ;;
  esac
done < docker/keycloak.env

RECEIVER_PID=""
KC_PID=""
stop_all() {
  trap - INT TERM EXIT
  for pid in $KC_PID $RECEIVER_PID; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $KC_PID $RECEIVER_PID; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_all EXIT
trap 'echo; echo "==> Stopping Keycloak and the alert receiver"; exit 130' INT TERM

echo "==> Starting the alert receiver on 127.0.0.1:$ALERT_PORT (deliveries also in $ALERT_LOG)"
# This run's deliveries only; Keycloak itself moves its previous log to keycloak.log.1.
: >"$ALERT_LOG"
java demo/AlertReceiver.java "$ALERT_PORT" > >(tee -a "$ALERT_LOG") 2>&1 &
RECEIVER_PID=$!
for _ in $(seq 120); do
  grep -q 'listening on' "$ALERT_LOG" && break
  kill -0 "$RECEIVER_PID" 2>/dev/null || fail "the alert receiver did not start; see $ALERT_LOG."
  sleep 0.25
done
grep -q 'listening on' "$ALERT_LOG" || fail "the alert receiver did not start within 30 s."

echo "==> Starting Keycloak $KC_VERSION on http://localhost:$KC_PORT (log: $KC_LOG)"
# The operator channel (see README, Alerts) goes to the same receiver: it still hears a realm
# whose policy, and with it the realm's webhook, was cleared. Its secret is demo only.
"$KC_HOME/bin/kc.sh" start-dev --import-realm --http-port="$KC_PORT" \
  --log=console,file --log-file="$KC_LOG" \
  --spi-break-glass-alerts--default--operator-webhook-url="http://127.0.0.1:$ALERT_PORT/operator" \
  --spi-break-glass-alerts--default--operator-webhook-secret="$DEMO_OPERATOR_SECRET" \
  "$@" &
KC_PID=$!

deadline=$((SECONDS + KC_START_TIMEOUT))
until curl -fs -o /dev/null "$REALM_URL/.well-known/openid-configuration"; do
  kill -0 "$KC_PID" 2>/dev/null ||
    fail "Keycloak exited before the demo realm answered; see the output above and $KC_LOG."
  [ "$SECONDS" -lt "$deadline" ] ||
    fail "the demo realm did not answer within $KC_START_TIMEOUT s; see $KC_LOG."
  sleep 1
done

cat <<MSG

  ============================================================================================
  Keycloak $KC_VERSION with keycloak-breakglass is ready (started in ${SECONDS} s).

  Break glass (sign in as responder):  $REALM_URL/break-glass/console/activate
  Break-glass console:                 $REALM_URL/break-glass/console
  Admin console:                       http://localhost:$KC_PORT/admin/   (admin / admin, demo only)
    the policy: realm breakglass-demo > Authentication > Required actions > Break-glass
    activation > gear icon
  Users (password = user name, demo only): responder (eligible; one-time code: see README),
    alice (not eligible), approver, auditor

  Alerts are printed here as [alerts] lines (realm webhook and operator channel), kept in
    $ALERT_LOG
  Keycloak's log: $KC_LOG
  Ctrl-C stops Keycloak and the alert receiver.
  ============================================================================================

MSG

wait "$KC_PID" || status=$?
KC_PID=""
fail "Keycloak stopped (exit ${status:-0}); see $KC_LOG."
