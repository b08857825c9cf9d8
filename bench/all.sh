#!/usr/bin/env bash
# Every benchmark in sequence, one Keycloak at a time, each writing its results file:
#   bench/run.sh           the sweeper            -> bench/results.md
#   bench/ab.sh            ordinary traffic, A/B  -> bench/results-ab.md
#   bench/login-latency.sh the break-glass login  -> bench/results-login-latency.md
# Defaults throughout (100,000 users, 1,000 ended grants, 1,000 rounds); the machine should be idle.
# Usage: bench/all.sh
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
echo "==> Sweeper benchmark (bench/run.sh builds the provider)"
bench/run.sh
echo "==> Ordinary traffic, A/B"
SKIP_BUILD=1 bench/ab.sh
echo "==> Break-glass login latency"
SKIP_BUILD=1 bench/login-latency.sh
echo "==> All done in $(( $(date +%s) - started )) s: bench/results.md, bench/results-ab.md, bench/results-login-latency.md"
