#!/usr/bin/env bash
# Instructions per request of every case and variant, counted by callgrind: unlike time, the
# count does not depend on what else the machine is doing.
#
#   benches/callgrind.sh [REQUESTS_PER_CASE]    (default 640)
#
# Each case and variant is counted separately (client requests in the harness switch collection
# on around the measured batches only, and dump one file per case and variant under
# $CARGO_TARGET_DIR/callgrind/, target/callgrind/ by default); the table is printed at the end.
# Inspect one dump with e.g.
#   callgrind_annotate --inclusive=yes target/callgrind/cors.out.<N>
# (`grep -l 'Request: 6a-preflight-allowed/ours' target/callgrind/*` finds a case's dump).
set -euo pipefail
cd "$(dirname "$0")/.."
per_case="${1:-640}"
exe=$(cargo bench -p cors-benches --bench cors --no-run 2>&1 |
    sed -n 's/^ *Executable .*(\(.*\))$/\1/p' | tail -n 1)
[ -x "$exe" ] || { echo "bench executable not found" >&2; exit 1; }
out_dir="${CARGO_TARGET_DIR:-target}/callgrind"
rm -rf "$out_dir"
mkdir -p "$out_dir"
CORS_BENCH_CALLGRIND="$per_case" CORS_BENCH_CALLGRIND_OUT="$out_dir/cors.out" \
    valgrind --tool=callgrind --collect-atstart=no --compress-strings=no --callgrind-out-file="$out_dir/cors.out" \
    "$exe" --bench
