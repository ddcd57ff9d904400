#!/usr/bin/env bash
# Loads 100,000 incidents with the stock FerretDB v1.24.2 binary, times the _id lookup there,
# then starts the patched binary on the same files (which migrates the indexes at startup)
# and times every query of bench.js.
#
# usage: stack/ferretdb/bench.sh STOCK_FERRETDB PATCHED_FERRETDB [port]
set -euo pipefail

stock=$1
patched=$2
port=${3:-27199}
here=$(cd "$(dirname "$0")" && pwd)
export NODE_PATH=${NODE_PATH:-$here/../../node_modules}
dir=$(mktemp -d)
uri=mongodb://127.0.0.1:$port/
pid=

start() {
  local t0=$(date +%s%N)
  "$1" --handler=sqlite --sqlite-url="file:$dir/" --listen-addr=127.0.0.1:$port --state-dir="$dir" \
    --debug-addr= --telemetry=disable --log-level=warn >>"$dir/ferretdb.log" 2>&1 &
  pid=$!
  until (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do
    kill -0 $pid || { cat "$dir/ferretdb.log"; exit 1; }
    sleep 0.05
  done
  echo "== $(basename "$1") listening after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

stop() {
  kill $pid
  wait $pid || true
}

trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT

start "$stock"
node "$here/bench.js" "$uri" load
node "$here/bench.js" "$uri" id 20
stop
ls -l "$dir"/*.sqlite

: >"$dir/ferretdb.log"
start "$patched"
grep -c 'Recreated SQLite index' "$dir/ferretdb.log" | sed 's/^/indexes recreated at startup: /'
node "$here/bench.js" "$uri" all 200
stop

: >"$dir/ferretdb.log"
start "$patched"
grep -c 'Recreated SQLite index' "$dir/ferretdb.log" | sed 's/^/indexes recreated at second startup: /' || true
stop
