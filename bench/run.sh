#!/usr/bin/env bash
# Keyway vs Debian's etcd, side by side: builds what is missing, runs every workload against both servers
# (alternating), prints one table, writes bench/results/*.json, docs/benchmarks.md and docs/benchmarks.svg.
#   bench/run.sh            full run (~20-25 min on 2 cores, ~9 of them the 3-member cluster rows)
#   bench/run.sh --quick    CI guard (~3 min): fails on crashes, request errors, lost watch events, a non-linearizable
#                           history or a lost acknowledged write under the kill -9 nemesis; never on timing
# Other flags go to the driver: --only http-put,ws-watch  --no-publish  --keyway-java-opts '...'  --render file.json
set -euo pipefail
cd "$(dirname "$0")/.."

etcd_bin=${ETCD_BIN:-/usr/bin/etcd}
if [[ ! -x "$etcd_bin" ]]; then
  echo "bench/run.sh needs real etcd at $etcd_bin (apt-get install etcd-server)" >&2
  exit 2
fi
if [[ ! -f gateway/target/keyway.jar || ! -x gateway/target/keyway || ! -f bench/target/keyway-bench.jar || -n "${BENCH_REBUILD:-}" ]]; then
  ./mvnw -B -q package -DskipTests
fi
# 10 000 WebSockets need as many descriptors in the driver and in each server
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

exec java ${BENCH_JAVA_OPTS:--Xmx2g} -jar bench/target/keyway-bench.jar --repo . --etcd "$etcd_bin" "$@"
