#!/usr/bin/env bash
# The load benchmark (issue 21): installs wrk if missing, builds the release binary and
# the driver (bench/load.rs), and runs it on SQLite, and on PostgreSQL too when
# BENCH_DATABASE_URL is set (`bash .ci/postgres.sh` starts a local server:
# BENCH_DATABASE_URL=postgres://stratus:stratus@127.0.0.1:5432/postgres).
#
#   bash bench/load.sh                                  # the full data set, 10 s per run
#   LOAD_SCALE=0.01 LOAD_SECONDS=3 bash bench/load.sh   # a quick check
#
# Other knobs: LOAD_CONNECTIONS (1,16,64), LOAD_ENDPOINTS (healthz,catalogue,product,
# account,invoice,subscription,report,report-deep,api,sign-in), LOAD_SESSIONS (16 per
# persona), LOAD_API_CLIENTS (100), LOAD_GZIP=1, LOAD_TIMEOUT (60 s), LOAD_BINARY (another
# build of stratus on the same schema, e.g. with another allocator, with this driver). The tables go to
# stdout; a copy is kept in bench/load-<date>.md (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk from Debian's packages"
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null; }
  else
    sudo apt-get install -y wrk >/dev/null
  fi
fi

# The bench profile is the release profile: this builds `stratus` (started by the driver
# as a child process) and the driver.
cargo bench --bench load --no-run
out="bench/load-$(date -u +%Y%m%d-%H%M).md"
cargo bench --bench load 2>&1 | tee "$out"
echo "the tables are also in $out"
