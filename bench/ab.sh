#!/usr/bin/env bash
# Side-by-side benchmark of ordinary traffic on one Keycloak: realm A is the demo realm as shipped
# (the extension's listener, token-cap scope, flows, required actions, policy), realm B the same
# realm with all of that removed. Both get USERS users; A also GRANTS ended grants. Refresh,
# client-credentials, password and code logins of alice, interleaved with a second series on B
# (the control). Writes bench/results-ab.md.
# Usage: bench/ab.sh [USERS] [GRANTS] [ROUNDS] [WARMUP]   (defaults: 100000 1000 1000 100)
set -euo pipefail
LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg)
cd "$(dirname "$0")/.."

USERS="${1:-100000}"
GRANTS="${2:-1000}"
ROUNDS="${3:-1000}"
WARMUP="${4:-100}"
KC_VERSION=$(sed -n 's:.*<keycloak.dist.version>\(.*\)</keycloak.dist.version>.*:\1:p' pom.xml)
BENCH=target/bench-ab
KC_HOME="$BENCH/keycloak-$KC_VERSION"
PORT=8480
LOG="$BENCH/keycloak.log"
RESULTS=bench/results-ab.md
KC_PID=""

stop_kc() {
  if [ -n "$KC_PID" ]; then
    kill "$KC_PID" 2>/dev/null || true
    wait "$KC_PID" 2>/dev/null || true
    KC_PID=""
  fi
}
trap stop_kc EXIT

# Production mode as deployed (`kc.sh start`: themes and templates cached, as for
# bench/login-latency.sh); KC_MODE=start-dev measures the development server instead.
KC_MODE="${KC_MODE:-start --http-enabled=true --hostname-strict=false --db=dev-file}"

start_kc() {
  : > "$LOG"
  KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
    "$KC_HOME/bin/kc.sh" $KC_MODE --import-realm --http-port=$PORT \
    --http-management-port=$((PORT + 1000)) >> "$LOG" 2>&1 &
  KC_PID=$!
  for _ in $(seq 1 300); do
    if curl -fs -o /dev/null "http://localhost:$PORT/realms/breakglass-plain"; then return 0; fi
    kill -0 "$KC_PID" 2>/dev/null || { echo "Keycloak exited; see $LOG" >&2; exit 1; }
    sleep 1
  done
  echo "Keycloak did not start; see $LOG" >&2; exit 1
}

[ "${SKIP_BUILD:-}" = 1 ] || mvn -B -q -DskipTests package
if [ ! -x "$KC_HOME/bin/kc.sh" ]; then
  mvn -B -q dependency:unpack -Dmdep.overWriteReleases=true -Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" -DoutputDirectory="$BENCH"
  chmod +x "$KC_HOME/bin/kc.sh"
fi
rm -rf "$KC_HOME/data"
mkdir -p "$KC_HOME/data/import"
cp target/keycloak-breakglass.jar "$KC_HOME/providers/"
java bench/AbBench.java realms realm-config/breakglass-demo-realm.json "$KC_HOME/data/import"
H2_JAR=$(ls "$KC_HOME"/lib/lib/main/com.h2database.h2-*.jar | head -1)
DB="$(pwd)/$KC_HOME/data/h2/keycloakdb"

echo "==> Creating the schema and both realms"
start_kc; stop_kc
echo "==> Seeding $USERS users per realm and $GRANTS ended grants in realm A"
java -cp "$H2_JAR" bench/AbBench.java seed "$DB" "$USERS" "$GRANTS"
echo "==> Measuring: $ROUNDS interleaved rounds per flow after $WARMUP warm-up rounds"
start_kc
OUT=$(java bench/AbBench.java run "http://localhost:$PORT" "$ROUNDS" "$WARMUP")
stop_kc
echo "$OUT"

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
RAM=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
{
  echo "# Ordinary traffic, side by side"
  echo
  echo "Run: \`bench/ab.sh $USERS $GRANTS $ROUNDS $WARMUP\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($CPU), $RAM RAM, Java $(java -version 2>&1 | head -1 | sed 's/.*"\(.*\)".*/\1/'), Keycloak $KC_VERSION (\`kc.sh $KC_MODE\`), embedded H2; load average before the run: $LOAD_BEFORE."
  echo
  echo "One Keycloak, two realms. **A** is the demo realm as shipped (\`realm-config/breakglass-demo-realm.json\`:"
  echo "the \`break-glass\` event listener, the token-cap client scope, the break-glass flows, required"
  echo "actions and policy); **B** is the same realm file with all of that removed and the same event"
  echo "settings otherwise. Each has $USERS extra users; A also has $GRANTS ended (and attested) grants."
  echo "The user is \`alice\` (not eligible) in both; both realms have the same three bench clients. Before"
  echo "and after the run the script checks through the admin API that A's and only A's tokens go"
  echo "through the token-cap mapper (Keycloak's evaluated mappers per client), that B has no"
  echo "listener or required action of the extension, and that alice holds the same roles in both."
  echo
  echo "Each flow: $WARMUP warm-up rounds, then $ROUNDS rounds of one request to each of A, B and B' (a second"
  echo "series on B), the order turning through all six orders of the three, so each is first, second"
  echo "and third equally often and all three share whatever the machine does meanwhile; timed by the"
  echo "client (\`System.nanoTime\`, whole round trip). Ratios are (A − B) / B. The **control** is"
  echo "(B' − B) / B: the difference two identical series show, i.e. the noise floor. The **95%"
  echo "interval** of the p99 ratio comes from resampling A's and B's times 2,000 times: how small a"
  echo "p99 difference this run can tell apart at all. The code login is a whole browser login each"
  echo "round: login page, form posted, redirect to the app, code exchanged; no cookie from before."
  echo
  echo "Goal: A within 2% of B at p50 and p99 for the refresh-token grant and the code login."
  echo
  echo "| flow | A p50 (ms) | B p50 (ms) | A vs B p50 | A p99 (ms) | B p99 (ms) | A vs B p99 | its 95% interval | control p50 | control p99 | rounds |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  echo "$OUT" | sed -n 's/^ROW //p'
  echo
  echo "Checked: $(echo "$OUT" | sed -n 's/^CHECK //p')"
} > "$RESULTS"
cat "$RESULTS"
