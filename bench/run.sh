#!/usr/bin/env bash
# Sweeper benchmark: one sweep's time on the embedded H2 database of a realm with 100,000 users,
# for 0, 1,000 and 10,000 expired grants. Writes bench/results.md.
# Usage: bench/run.sh [USERS] [N ...]     (defaults: 100000 and 0 1000 10000)
# SWEEP_BATCH=n sets the sweeper's batch-size (grants ended per transaction; default: the server's).
set -euo pipefail
cd "$(dirname "$0")/.."

USERS="${1:-100000}"; shift || true
COUNTS=("${@:-0 1000 10000}"); COUNTS=(${COUNTS[*]})
KC_VERSION=$(sed -n 's:.*<keycloak.dist.version>\(.*\)</keycloak.dist.version>.*:\1:p' pom.xml)
BENCH=target/bench
KC_HOME="$BENCH/keycloak-$KC_VERSION"
PORT=8280
LOG="$BENCH/keycloak.log"
RESULTS=bench/results.md

mvn -B -q -DskipTests package
if [ ! -x "$KC_HOME/bin/kc.sh" ]; then
  mvn -B -q dependency:unpack -Dmdep.overWriteReleases=true -Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" -DoutputDirectory="$BENCH"
  chmod +x "$KC_HOME/bin/kc.sh"
fi
rm -rf "$KC_HOME/data"
mkdir -p "$KC_HOME/data/import"
cp target/keycloak-breakglass.jar "$KC_HOME/providers/"
cp realm-config/*.json "$KC_HOME/data/import/"
H2_JAR=$(ls "$KC_HOME"/lib/lib/main/com.h2database.h2-*.jar | head -1)
DB="$(pwd)/$KC_HOME/data/h2/keycloakdb"

start_kc() {
  : > "$LOG"
  KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
    "$KC_HOME/bin/kc.sh" start-dev --import-realm --http-port=$PORT --http-management-port=$((PORT + 1000)) \
    --log-level=INFO,dev.breakglass.keycloak.sweeper:TRACE \
    ${SWEEP_BATCH:+--spi-break-glass-expiry--default--batch-size=$SWEEP_BATCH} >> "$LOG" 2>&1 &
  KC_PID=$!
  # Start-up includes the catch-up (drift reconciliation, then the sweep): minutes with 10,000
  # holders on a busy machine.
  for _ in $(seq 1 900); do
    if curl -fs -o /dev/null "http://localhost:$PORT/realms/master"; then return 0; fi
    sleep 1
  done
  echo "Keycloak did not start; see $LOG" >&2; kill "$KC_PID" || true; exit 1
}
stop_kc() { kill "$KC_PID"; wait "$KC_PID" || true; }

echo "==> Creating the schema and the demo realm"
start_kc; stop_kc
echo "==> Seeding $USERS users"
java -cp "$H2_JAR" bench/SweepBench.java seed-users "$DB" breakglass-demo "$USERS"

ROWS=""
for N in "${COUNTS[@]}"; do
  echo "==> $N expired grants"
  java -cp "$H2_JAR" bench/SweepBench.java seed-grants "$DB" breakglass-demo emergency-admin "$N"
  start_kc
  # 20 steady-state sweeps (every 500 ms) after the start-up catch-up.
  for _ in $(seq 1 60); do
    [ "$(grep -c 'sweep found nothing due' "$LOG")" -ge 20 ] && break
    sleep 1
  done
  stop_kc
  STARTUP=$(sed -n 's/.*start-up sweep ended \([0-9]*\) expired grant(s) in \([0-9.]*\) ms.*/\1 \2/p' "$LOG" | head -1)
  CPU=$(sed -n 's/.*start-up sweep ended .*; \([0-9.]*\) ms of CPU.*/\1/p' "$LOG" | head -1)
  IDLE=$(sed -n 's/.*sweep found nothing due in \([0-9.]*\) ms.*/\1/p' "$LOG" | sort -n | awk '{a[NR]=$1} END {if (NR) printf "%s / %s", a[int((NR+1)/2)], a[NR]; else print "n/a"}')
  ROWS="$ROWS| $N | ${STARTUP% *} | ${STARTUP#* } | ${CPU:-n/a} | $IDLE |\n"
done

{
  echo "# Sweeper benchmark"
  echo
  echo "Run: \`${SWEEP_BATCH:+SWEEP_BATCH=$SWEEP_BATCH }bench/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, Java $(java -version 2>&1 | head -1 | sed 's/.*"\(.*\)".*/\1/'), Keycloak $KC_VERSION, embedded H2 (start-dev), realm with $USERS users."
  echo
  echo "The start-up sweep ends every grant that expired while Keycloak was down (here: seeded"
  echo "as expired); the steady-state sweeps that follow find nothing due. Goals: start-up sweep"
  echo "≤ 2 s for 1,000 expired and ≤ 20 s for 10,000; a sweep with nothing due ≤ 10 ms. The CPU"
  echo "column is the sweeping thread's own CPU time: it says more than the wall clock when other"
  echo "work shares the machine (load average at the end of the run: $(cut -d' ' -f1-3 /proc/loadavg))."
  echo
  echo "| expired grants | ended by the start-up sweep | start-up sweep (ms) | its CPU time (ms) | steady-state sweep, nothing due: median / max (ms) |"
  echo "|---:|---:|---:|---:|---:|"
  printf "$ROWS"
} > "$RESULTS"
cat "$RESULTS"
