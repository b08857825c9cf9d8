#!/usr/bin/env bash
# Sweeper benchmark: one sweep's time on the embedded H2 database of a realm with 100,000 users,
# for 0, 1,000 and 10,000 expired grants, their holders without and with a session. Writes
# bench/results.md.
# Usage: bench/run.sh [USERS] [N ...]     (defaults: 100000 and 0 1000 10000 1000s 10000s)
# N grants for holders without a session; Ns the same with one online session per holder.
# Each row with sessions is followed by a run of Keycloak's own session API alone on the same
# sessions (bench/SessionFloor.java): what that API alone takes, beside what the sweep takes.
# SWEEP_BATCH=n sets the sweeper's batch-size (grants per transaction whose holders have sessions,
# four times as many whose holders have none; default: the server's).
set -euo pipefail
cd "$(dirname "$0")/.."

USERS="${1:-100000}"; shift || true
COUNTS=("${@:-0 1000 10000 1000s 10000s}"); COUNTS=(${COUNTS[*]})
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
# The session-floor probe, built against the distribution's own jars; in providers/ for one start.
FLOOR_JAR="$BENCH/session-floor.jar"
rm -rf "$BENCH/session-floor" "$KC_HOME/providers/session-floor.jar"
mkdir -p "$BENCH/session-floor/META-INF/services"
javac -proc:none -nowarn -d "$BENCH/session-floor" -cp "$KC_HOME/lib/lib/main/*:$KC_HOME/lib/lib/boot/*" bench/SessionFloor.java
echo SessionFloor > "$BENCH/session-floor/META-INF/services/org.keycloak.events.EventListenerProviderFactory"
jar cf "$FLOOR_JAR" -C "$BENCH/session-floor" .
DB="$(pwd)/$KC_HOME/data/h2/keycloakdb"

# Production mode as deployed (`kc.sh start`), as for bench/ab.sh and bench/login-latency.sh;
# KC_MODE=start-dev measures the development server instead.
KC_MODE="${KC_MODE:-start --http-enabled=true --hostname-strict=false --db=dev-file}"

start_kc() {
  : > "$LOG"
  KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin JAVA_OPTS_APPEND="${FLOOR_OPTS:-}" \
    "$KC_HOME/bin/kc.sh" $KC_MODE --import-realm --http-port=$PORT --http-management-port=$((PORT + 1000)) \
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
for CASE in "${COUNTS[@]}"; do
  # N grants expired while Keycloak was down (the start-up sweep's), and N more, for other users,
  # falling due together once the server is up and idle (an ordinary sweep of a running server).
  N=${CASE%s}
  SESSIONS=0; [ "$CASE" = "$N" ] || SESSIONS=1
  DUE_IN=$((60 + N * (1 + 2 * SESSIONS) / 250))
  echo "==> $N expired grants, $N more due in $DUE_IN s; each holder with $SESSIONS session(s)"
  java -cp "$H2_JAR" bench/SweepBench.java seed-grants "$DB" breakglass-demo emergency-admin "$N" "$N" "$DUE_IN" \
    "$([ "$SESSIONS" = 1 ] && echo true || echo false)"
  DUE_AT=$(( $(date +%s) + DUE_IN ))
  start_kc
  UP_BEFORE_DUE=$(( DUE_AT - $(date +%s) )); [ "$UP_BEFORE_DUE" -ge 0 ] || UP_BEFORE_DUE=0
  # Until the later grants have been swept (if any) and 20 idle sweeps (every 500 ms) after that.
  for _ in $(seq 1 $((DUE_IN + 120))); do
    if [ "$N" -eq 0 ] || grep -q "Break-glass sweep ended" "$LOG"; then
      [ "$(sed -n '/Break-glass sweep ended\|start-up sweep/,$p' "$LOG" | grep -c 'sweep found nothing due')" -ge 20 ] \
        && [ "$(date +%s)" -gt "$DUE_AT" ] && break
    fi
    sleep 1
  done
  stop_kc
  LEFT=$(java -cp "$H2_JAR" bench/SweepBench.java sessions-left "$DB")
  if [ "$LEFT" != 0 ]; then
    echo "$LEFT sessions of the holders were left after the sweeps; see $LOG" >&2
    exit 1
  fi
  STARTUP=$(sed -n 's/.*start-up sweep ended \([0-9]*\) expired grant(s) in \([0-9.]*\) ms.*/\1 \2/p' "$LOG" | head -1)
  CPU=$(sed -n 's/.*start-up sweep ended .*; \([0-9.]*\) ms of CPU.*/\1/p' "$LOG" | head -1)
  # Ordinary sweeps that ended grants: their count and time summed (normally one sweep).
  LATER=$(sed -n 's/.*Break-glass sweep ended \([0-9]*\) grant(s) in \([0-9.]*\) ms.*; \([0-9.]*\) ms of CPU.*/\1 \2 \3/p' "$LOG" \
    | awk '{n += $1; t += $2; c += $3; k++} END {if (k) printf "%d %.1f %.1f %d", n, t, c, k; else print "0 n/a n/a 0"}')
  read -r LATER_N LATER_MS LATER_CPU LATER_SWEEPS <<< "$LATER"
  # Median / max of the sweeps with nothing due: wall time, and the sweeping thread's own CPU time.
  median_max() { sort -n | awk '{a[NR]=$1} END {if (NR) printf "%s / %s", a[int((NR+1)/2)], a[NR]; else print "n/a"}'; }
  IDLE=$(sed -n 's/.*sweep found nothing due in \([0-9.]*\) ms.*/\1/p' "$LOG" | median_max)
  IDLE_CPU=$(sed -n 's/.*sweep found nothing due in .* (\([0-9.]*\) ms of CPU).*/\1/p' "$LOG" | median_max)
  if [ "${STARTUP% *}" != "$N" ] || [ "$LATER_N" != "$N" ]; then
    echo "The start-up sweep ended ${STARTUP% *} and later sweeps $LATER_N of $N each; see $LOG" >&2
  fi
  FLOOR="n/a"
  if [ "$SESSIONS" = 1 ]; then
    # The row again, with the later grants due far ahead so the sweeper leaves them: the same
    # start-up sweep, then, as long after start as the sweep above, Keycloak's API alone ends the
    # later holders' sessions.
    echo "==> Again, Keycloak's session API alone ending the later $N holders' sessions"
    java -cp "$H2_JAR" bench/SweepBench.java seed-grants "$DB" breakglass-demo emergency-admin "$N" "$N" 1000000 true
    cp "$FLOOR_JAR" "$KC_HOME/providers/"
    GO="$BENCH/session-floor.go"; rm -f "$GO"
    FLOOR_OPTS="-Dbench.session-floor.realm=breakglass-demo -Dbench.session-floor.go=$(pwd)/$GO${SWEEP_BATCH:+ -Dbench.session-floor.batch=$SWEEP_BATCH}" start_kc
    sleep "$UP_BEFORE_DUE"
    touch "$GO"
    for _ in $(seq 1 300); do
      grep -q "Session floor" "$LOG" && break
      sleep 1
    done
    stop_kc
    rm -f "$KC_HOME/providers/session-floor.jar"
    FLOOR=$(sed -n "s/.*Session floor: Keycloak ended the stored online sessions of $N users in \([0-9.]*\) ms.*/\1/p" "$LOG")
    LEFT=$(java -cp "$H2_JAR" bench/SweepBench.java sessions-left "$DB")
    if [ -z "$FLOOR" ] || [ "$LEFT" != 0 ]; then
      echo "The session floor did not end all $N holders' sessions ($LEFT left); see $LOG" >&2
      exit 1
    fi
  fi
  ROWS="$ROWS| $N | $SESSIONS | ${STARTUP% *} | ${STARTUP#* } | ${CPU:-n/a} | $LATER_N | $LATER_MS | $LATER_CPU | $LATER_SWEEPS | $FLOOR | $IDLE | $IDLE_CPU |\n"
done

{
  echo "# Sweeper benchmark"
  echo
  echo "Run: \`${SWEEP_BATCH:+SWEEP_BATCH=$SWEEP_BATCH }bench/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, Java $(java -version 2>&1 | head -1 | sed 's/.*"\(.*\)".*/\1/'), Keycloak $KC_VERSION (\`kc.sh $KC_MODE\`), embedded H2, realm with $USERS users."
  echo
  echo "Each row seeds N grants that expired while Keycloak was down and N more, for other users,"
  echo "due together a minute or more later. The **start-up sweep** ends the first N as the server"
  echo "starts, in a JVM that has run nothing yet (each CPU column is the sweeping thread's own CPU"
  echo "time). The **running server's sweep** ends the other N when they fall due: the sweep every"
  echo "500 ms, on a server that is up and idle, as when many grants end during operation. Each"
  echo "grant is ended as in production: role mappings removed, sessions ended, not-before moved,"
  echo "attestation asked, one audit record and its alerts. In the rows with a session, each holder"
  echo "has one online session (with its client session), seeded as Keycloak's persistent sessions"
  echo "store it, as after the holder's sign-in; the sweep ends it (the script checks none is left)."
  echo "Then 20 or more sweeps with nothing due. **Keycloak alone** (rows with a session): the row"
  echo "runs again with the later grants due far ahead, so the same start-up sweep runs and then, as"
  echo "long after start as the running server's sweep came, the later holders' sessions are ended by"
  echo "Keycloak's own \`UserSessionProvider.removeUserSessions\` alone, as many holders per"
  echo "transaction as the sweeper's batch (bench/SessionFloor.java): what Keycloak's session API"
  echo "alone takes for what the running server's sweep does with its sessions."
  echo "Goals: 1,000 grants ended in ≤ 2 s, 10,000 in ≤ 20 s, a sweep with nothing due ≤ 10 ms"
  echo "(load average at the end of the run: $(cut -d' ' -f1-3 /proc/loadavg))."
  echo
  echo "| N | sessions per holder | ended by the start-up sweep | start-up sweep (ms) | its CPU time (ms) | ended by the running server | its sweep (ms) | its CPU time (ms) | sweeps it took | Keycloak alone ending the same sessions (ms) | sweep with nothing due: median / max (ms) | their CPU time: median / max (ms) |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf "$ROWS"
} > "$RESULTS"
cat "$RESULTS"
