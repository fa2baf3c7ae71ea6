#!/usr/bin/env bash
# Differential CORS harness: the seed policy of the guide this project grew from
#   origin https://frontend.example.com, methods GET and POST,
#   headers Content-Type and Authorization, credentials
# served by nginx (add_header), Express + cors, Flask + flask-cors and this project's
# `#[cors]` routes (examples/src/bin/seed_policy.rs), all on 127.0.0.1, sent the same
# requests; prints a side-by-side markdown table (also written to
# target/differential/table.md) and fails only if OUR server deviates from what it promises.
#
# Usage: tests/differential/run.sh [--peers-only]
#   --peers-only   do not build or start our server (its column shows "not running"; no checks)
#
# Installs what is missing: nginx from Debian (apt-get, needs root), express and cors from npm
# (tests/differential/express/package-lock.json), flask and flask-cors from PyPI into
# target/differential-venv (tests/differential/flask/requirements.txt).
# See docs/comparison.md for the table and what each difference means.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT_DIR=$TARGET/differential
VENV=$TARGET/differential-venv
WAIT_S=${DIFFERENTIAL_WAIT_S:-60}

PEERS_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --peers-only) PEERS_ONLY=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { echo "[differential] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $*"
  fi
}

# ---------------------------------------------------------------------------- installs
find_nginx() { command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }
NGINX=$(find_nginx)
if [ -z "$NGINX" ]; then
  log "installing nginx from Debian"
  as_root env DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive timeout 600 \
    apt-get install -y -qq --no-install-recommends nginx >/dev/null
  NGINX=$(find_nginx)
  [ -n "$NGINX" ] || die "nginx not found after apt-get install"
fi
log "nginx: $("$NGINX" -v 2>&1)"

command -v node >/dev/null || die "node is required"
command -v npm >/dev/null || die "npm is required"
EXPRESS_DIR=$HERE/express
if [ ! -f "$EXPRESS_DIR/node_modules/.package-lock.json" ] \
   || [ "$EXPRESS_DIR/package-lock.json" -nt "$EXPRESS_DIR/node_modules/.package-lock.json" ]; then
  log "installing express and cors from npm (npm ci)"
  (cd "$EXPRESS_DIR" && timeout 300 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
log "express $(node -p "require('$EXPRESS_DIR/node_modules/express/package.json').version"), cors $(node -p "require('$EXPRESS_DIR/node_modules/cors/package.json').version") on node $(node --version)"

REQS=$HERE/flask/requirements.txt
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    log "python3 -m venv failed; installing python3-venv from Debian"
    as_root env DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive timeout 600 \
      apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    python3 -m venv "$VENV"
  fi
fi
if ! cmp -s "$REQS" "$VENV/.installed-requirements.txt"; then
  log "installing flask and flask-cors from PyPI into $VENV"
  timeout 300 "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQS"
  cp "$REQS" "$VENV/.installed-requirements.txt"
fi
log "$("$VENV/bin/python" -c 'import importlib.metadata as m; print("flask", m.version("flask"), "flask-cors", m.version("flask-cors"))')"

OURS_BIN=""
OURS_BUILD_OK=0
if [ "$PEERS_ONLY" = 0 ]; then
  log "building our server: cargo build -p cors-examples --bin seed_policy"
  if (cd "$ROOT" && timeout 1800 cargo build -q -p cors-examples --bin seed_policy); then
    OURS_BIN=$TARGET/debug/seed_policy
    OURS_BUILD_OK=1
  else
    log "ERROR: cargo build of seed_policy failed; its column will show 'not running' and the checks fail"
  fi
fi

# ---------------------------------------------------------------------------- servers
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cors-differential.XXXXXX")
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  mkdir -p "$OUT_DIR/logs"
  cp "$TMP"/*.log "$OUT_DIR/logs/" 2>/dev/null || true
  cp "$TMP"/nginx/*.log "$OUT_DIR/logs/" 2>/dev/null || true
  rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Five distinct free loopback ports (nginx needs two: the public server and its backend).
read -r P_NGINX P_BACKEND P_EXPRESS P_FLASK P_OURS < <(python3 - <<'EOF'
import socket
socks = []
for _ in range(5):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
)

wait_port() {  # name pid port
  local name=$1 pid=$2 port=$3 deadline=$((SECONDS + WAIT_S))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "ERROR: $name exited before listening; its log:"; tail -n 30 "$TMP/$name.log" >&2 || true
      return 1
    fi
    if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
      log "$name listening on 127.0.0.1:$port (pid $pid)"
      return 0
    fi
    sleep 0.2
  done
  log "ERROR: $name not listening on 127.0.0.1:$port after ${WAIT_S}s; its log:"
  tail -n 30 "$TMP/$name.log" >&2 || true
  return 1
}

# nginx: config from the template, every path in the temp dir, current user, foreground.
mkdir -p "$TMP/nginx"
USER_LINE=""
[ "$(id -u)" = 0 ] && USER_LINE="user root;"
sed -e "s|@TMP@|$TMP/nginx|g" -e "s|@PORT@|$P_NGINX|g" -e "s|@BACKEND_PORT@|$P_BACKEND|g" \
    -e "s|@USER_LINE@|$USER_LINE|g" "$HERE/nginx/nginx.conf.template" > "$TMP/nginx/nginx.conf"
"$NGINX" -t -q -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" \
  > "$TMP/nginx.log" 2>&1 || { cat "$TMP/nginx.log" >&2; die "nginx -t failed"; }
"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" >> "$TMP/nginx.log" 2>&1 &
PIDS+=($!); wait_port nginx $! "$P_NGINX" || die "nginx did not start"
wait_port nginx "${PIDS[-1]}" "$P_BACKEND" || die "nginx backend did not start"

node "$EXPRESS_DIR/server.js" "$P_EXPRESS" > "$TMP/express.log" 2>&1 &
PIDS+=($!); wait_port express $! "$P_EXPRESS" || die "express did not start"

"$VENV/bin/python" "$HERE/flask/app.py" "$P_FLASK" > "$TMP/flask.log" 2>&1 &
PIDS+=($!); wait_port flask $! "$P_FLASK" || die "flask did not start"

OURS_ARG="cors-runtime=-"
if [ "$OURS_BUILD_OK" = 1 ]; then
  "$OURS_BIN" --port "$P_OURS" > "$TMP/cors-runtime.log" 2>&1 &
  PIDS+=($!)
  if wait_port cors-runtime $! "$P_OURS"; then
    OURS_ARG="cors-runtime=$P_OURS"
  fi
fi

# ---------------------------------------------------------------------------- extra checks
# tests/differential/doctor.sh runs this script with DIFFERENTIAL_THEN=<command>: the command
# runs here, while every server is up, with their addresses in DOCTOR_* variables; if it fails,
# this script stops with its status (the servers are stopped by the EXIT trap).
if [ -n "${DIFFERENTIAL_THEN:-}" ]; then
  then_rc=0
  DOCTOR_NGINX=127.0.0.1:$P_NGINX DOCTOR_EXPRESS=127.0.0.1:$P_EXPRESS \
    DOCTOR_FLASK=127.0.0.1:$P_FLASK \
    DOCTOR_OURS=$([ "$OURS_ARG" = "cors-runtime=-" ] || echo "127.0.0.1:$P_OURS") \
    bash -c "$DIFFERENTIAL_THEN" || then_rc=$?
  [ "$then_rc" = 0 ] || die "$DIFFERENTIAL_THEN failed (exit $then_rc)"
fi

# ---------------------------------------------------------------------------- requests
CHECK=(--check cors-runtime)
[ "$PEERS_ONLY" = 1 ] && CHECK=()
set +e
[ "$PEERS_ONLY" = 1 ] && log "peers only: our server is neither built nor checked"
timeout 300 python3 "$HERE/compare.py" \
  --server "nginx=$P_NGINX" --server "express=$P_EXPRESS" --server "flask=$P_FLASK" \
  --server "$OURS_ARG" "${CHECK[@]}" --out "$OUT_DIR/table.md"
rc=$?
set -e
# Nothing is printed after compare.py's closing "differential: N passed, N failed" line.
[ "$rc" = 0 ] || log "FAILED (exit $rc): our server deviates, or a request failed; see above"
exit "$rc"
