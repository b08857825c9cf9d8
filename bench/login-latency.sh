#!/usr/bin/env bash
# Login latency benchmark: a responder's whole break-glass login (login page, password, one-time
# code, activation form, back to the app), ROUNDS times with no webhook and ROUNDS times with a
# webhook that never answers. Alerts leave on a background thread, so the two should match.
# Writes bench/results-login-latency.md.   Usage: bench/login-latency.sh [ROUNDS]   (default 50)
set -euo pipefail
LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg)
cd "$(dirname "$0")/.."

ROUNDS="${1:-50}"
KC_VERSION=$(sed -n 's:.*<keycloak.dist.version>\(.*\)</keycloak.dist.version>.*:\1:p' pom.xml)
BENCH=target/bench-latency
KC_HOME="$BENCH/keycloak-$KC_VERSION"
PORT=8480
LOG="$BENCH/keycloak.log"
RESULTS=bench/results-login-latency.md

[ "${SKIP_BUILD:-}" = 1 ] || mvn -B -q -DskipTests package
if [ ! -x "$KC_HOME/bin/kc.sh" ]; then
  mvn -B -q dependency:unpack -Dmdep.overWriteReleases=true -Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" -DoutputDirectory="$BENCH"
  chmod +x "$KC_HOME/bin/kc.sh"
fi
# Production mode as deployed (`kc.sh start`): themes and templates cached. start-dev re-reads and
# re-parses every page template per request, which is not what a responder meets.
# KC_MODE=start-dev measures the development server instead.
KC_MODE="${KC_MODE:-start --http-enabled=true --hostname-strict=false --db=dev-file}"
rm -rf "$KC_HOME/data"
mkdir -p "$KC_HOME/data/import"
cp target/keycloak-breakglass.jar "$KC_HOME/providers/"
# The demo's one-time codes work once each (one per 30-second step); a benchmark signs in far
# more often than that, so its copy of the realm lets a code be used again. Nothing else differs.
sed 's/"otpPolicyCodeReusable": *false/"otpPolicyCodeReusable": true/' \
  realm-config/breakglass-demo-realm.json > "$KC_HOME/data/import/breakglass-demo-realm.json"
grep -q '"otpPolicyCodeReusable": *true' "$KC_HOME/data/import/breakglass-demo-realm.json"

KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
  "$KC_HOME/bin/kc.sh" $KC_MODE --import-realm --http-port=$PORT --http-management-port=$((PORT + 1000)) > "$LOG" 2>&1 &
KC_PID=$!
trap 'kill $KC_PID 2>/dev/null; wait $KC_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do
  curl -fs -o /dev/null "http://localhost:$PORT/realms/breakglass-demo" && break
  sleep 1
done

OUT=$(java bench/LoginLatencyBench.java "http://localhost:$PORT" "$ROUNDS")
echo "$OUT"
{
  echo "# Login latency with a hung webhook"
  echo
  echo "Run: \`bench/login-latency.sh $ROUNDS\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM, load average before the run $LOAD_BEFORE, Java $(java -version 2>&1 | head -1 | sed 's/.*"\(.*\)".*/\1/'), Keycloak $KC_VERSION (\`kc.sh $KC_MODE\`), embedded H2."
  echo
  echo "One round: a responder's whole break-glass login over HTTP, as a browser without cookies"
  echo "from before (login page, password, one-time code from the demo secret, activation form,"
  echo "redirect back to the app with a code), timed by the client; 20 warm-up rounds first. The"
  echo "grant is then revoked through the admin API (not timed). The policy is set through the admin"
  echo "API without cooldown, grant cap or approval. The hung webhook accepts connections and never"
  echo "answers (the alert channel times out after 5 s and retries); every round raises an activation"
  echo "alert to it. The realm copy lets a one-time code be used again (the demo's codes are single"
  echo "use, one per 30 s); that is the only change to the demo realm. Goal: median ≤ 200 ms."
  echo
  echo "| webhook | rounds | median | p95 | max |"
  echo "|---|---:|---:|---:|---:|"
  echo "$OUT" | sed -n 's/^RESULT \([a-z-]*\) n=\([0-9]*\) median=\([0-9]*ms\) p95=\([0-9]*ms\) max=\([0-9]*ms\)$/| \1 | \2 | \3 | \4 | \5 |/p'
  echo
  echo "Median of each step (client-timed round trips, redirects followed):"
  echo
  echo "$OUT" | sed -n 's/^STEPS \(.*\)$/- \1/p'
} > "$RESULTS"
cat "$RESULTS"
