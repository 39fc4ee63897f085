#!/usr/bin/env bash
# Run by `./mvnw package` (gateway/pom.xml) after keyway.jar is built: puts the `keyway` launcher next to the jar,
# unpacks RocksDB's native library for it, and records keyway.jsa, an AppCDS archive of the classes a member
# loads while it starts and serves its first HTTP and gRPC requests (a training run on a throw-away data dir).
# Without the archive the launcher still works, only the start is slower: a failed training run warns and the
# build goes on. KEYWAY_SKIP_CDS=1 skips it.
set -uo pipefail
target=$1
java_bin=$2
src=$(cd "$(dirname "$0")" && pwd)

cp "$src/keyway" "$target/keyway" && chmod 755 "$target/keyway" || exit 1
rm -rf "$target/native" "$target/keyway.jsa"
case "$(uname -m)" in
  x86_64) lib=librocksdbjni-linux64.so ;;
  aarch64) lib=librocksdbjni-linux-aarch64.so ;;
  *) lib= ;;
esac
if [[ -n "$lib" ]] && ! ldd /bin/sh 2>/dev/null | grep -q musl; then
  mkdir -p "$target/native"
  (cd "$target/native" && "$java_bin/jar" xf ../keyway.jar "$lib" && mv "$lib" librocksdbjni-linux64.so 2>/dev/null \
    || [[ -f librocksdbjni-linux64.so ]]) || { echo "[launcher] could not unpack $lib" >&2; rm -rf "$target/native"; }
  # RocksDB looks up System.loadLibrary("rocksdbjni-linux64") on x86_64 and "rocksdbjni-linux-aarch64" on arm
  if [[ "$lib" == librocksdbjni-linux-aarch64.so && -f "$target/native/librocksdbjni-linux64.so" ]]; then
    mv "$target/native/librocksdbjni-linux64.so" "$target/native/$lib"
  fi
fi

[[ -n "${KEYWAY_SKIP_CDS:-}" ]] && exit 0
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((30000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}
warn() { echo "[launcher] no AppCDS archive: $*; keyway starts without it (slower)" >&2; }
command -v curl >/dev/null || { warn "curl is missing"; exit 0; }
port=$(free_port) && peer=$(free_port) || { warn "no free port"; exit 0; }
data=$(mktemp -d "${TMPDIR:-/tmp}/keyway-cds-XXXXXX")
log="$target/keyway-cds-training.log"
url="http://127.0.0.1:$port"
PATH="$java_bin:$PATH" KEYWAY_JAVA_OPTS="-XX:ArchiveClassesAtExit=$target/keyway.jsa.tmp" "$target/keyway" \
  --name cds --data-dir "$data" --listen-client-urls "$url" --advertise-client-urls "$url" \
  --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
  --initial-cluster "cds=http://127.0.0.1:$peer" >"$log" 2>&1 &
pid=$!
post() { curl -s -m 5 -o /dev/null -X POST "$url$1" -d "$2"; }
served=
for _ in $(seq 1 1200); do
  if curl -sf -m 1 -o /dev/null -X POST "$url/v3/kv/range" -d '{"key":"Zm9v","serializable":true}'; then
    served=1; break
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
if [[ -n "$served" ]]; then
  # the requests clients send first: HTTP/JSON (as etcd's gateway), gRPC over h2c, a watch, a lease
  post /v3/kv/put '{"key":"Zm9v","value":"YmFy"}'
  post /v3/kv/range '{"key":"Zm9v"}'
  post /v3/kv/range '{"key":"AA==","range_end":"AA==","keys_only":true}'
  post /v3/kv/txn '{"compare":[{"key":"Zm9v","target":"VALUE","value":"YmFy"}],"success":[{"request_put":{"key":"Zm9v","value":"YmF6"}}]}'
  post /v3/kv/deleterange '{"key":"Zm9v","prev_kv":true}'
  post /v3/lease/grant '{"TTL":"5"}'
  post /v3/maintenance/status '{}'
  post /v3/cluster/member/list '{}'
  curl -s -m 1 -o /dev/null -X POST "$url/v3/watch" -d '{"create_request":{"key":"Zm9v"}}'
  curl -s -m 2 -o /dev/null "$url/health"
  # gRPC: Range{key:"foo"} and Put{key:"foo",value:"bar"}, length-prefixed
  for call in 'KV/Range:\x00\x00\x00\x00\x05\x0a\x03foo' 'KV/Put:\x00\x00\x00\x00\x0a\x0a\x03foo\x12\x03bar'; do
    printf "${call#*:}" | curl -s -m 5 -o /dev/null --http2-prior-knowledge -X POST \
      -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @- "$url/etcdserverpb.${call%%:*}"
  done
  kill -TERM "$pid"
fi
for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rm -rf "$data"
if [[ -n "$served" && -s "$target/keyway.jsa.tmp" ]]; then
  mv "$target/keyway.jsa.tmp" "$target/keyway.jsa"
else
  rm -f "$target/keyway.jsa.tmp"
  warn "the training run failed (see $log)"
fi
exit 0
