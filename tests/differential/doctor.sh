#!/usr/bin/env bash
# cors-doctor against the differential harness's servers: nginx (add_header), Express + cors,
# Flask + flask-cors and our seed_policy, all configured with the seed policy
#   origin https://frontend.example.com, methods GET and POST,
#   headers Content-Type and Authorization, credentials.
# For each server and request it asserts the doctor's exit status, its verdict, the first failed
# check and the warning identifiers it reports: the peers' known flaws (docs/comparison.md, D1 and
# D2) must be reported, and ours must pass without warnings.
#
# Usage: tests/differential/doctor.sh
#   builds cors-doctor, then runs tests/differential/run.sh (which installs and starts the
#   servers on loopback and runs its own comparison) with DIFFERENTIAL_THEN set to this script,
#   which run.sh calls back while the servers are up, with DOCTOR_NGINX, DOCTOR_EXPRESS,
#   DOCTOR_FLASK and DOCTOR_OURS (host:port) set.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
DOCTOR=$TARGET/debug/cors-doctor

log() { echo "[doctor] $*" >&2; }

if [ -z "${DOCTOR_NGINX:-}" ]; then
  log "building: cargo build -p cors-doctor"
  (cd "$ROOT" && cargo build -q -p cors-doctor)
  DIFFERENTIAL_THEN="bash $(printf %q "$HERE/doctor.sh")" exec bash "$HERE/run.sh" "$@"
fi

F=https://frontend.example.com
E=https://evil.example.com
PASSED=0
FAILED=0

# expect SERVER EXIT VERDICT FAILED_CHECK REFUSAL WARNINGS -- DOCTOR-ARGS...
#   FAILED_CHECK and REFUSAL (what a refused preflight refuses) are "-" for none; WARNINGS is a
#   comma-separated list of identifiers, "-" for none. The URL's path is /api/data, or DOCTOR_PATH.
expect() {
  local server=$1 code=$2 verdict=$3 check=$4 refusal=$5 warnings=$6
  shift 7
  local addr
  case "$server" in
    nginx) addr=$DOCTOR_NGINX ;; express) addr=$DOCTOR_EXPRESS ;;
    flask) addr=$DOCTOR_FLASK ;; ours) addr=$DOCTOR_OURS ;;
  esac
  if [ -z "$addr" ]; then
    log "FAIL $server is not running"; FAILED=$((FAILED + 1)); return
  fi
  local out rc=0
  out=$("$DOCTOR" --json "http://$addr${DOCTOR_PATH:-/api/data}" "$@") || rc=$?
  local got
  got=$(printf '%s' "$out" | python3 -c '
import json, sys
try:
    r = json.load(sys.stdin)
except ValueError:
    print("no-json - - -"); sys.exit()
print(r["verdict"], r["failed_check"] or "-", (r["refusal"] or {}).get("id", "-"),
      ",".join(w["id"] for w in r["warnings"]) or "-")
')
  local want="$verdict $check $refusal $warnings"
  if [ "$rc" = "$code" ] && [ "$got" = "$want" ]; then
    PASSED=$((PASSED + 1))
    log "ok   $server: $* -> exit $rc, $got"
  else
    FAILED=$((FAILED + 1))
    log "FAIL $server: $* -> exit $rc, $got; expected exit $code, $want"
  fi
}

log "cors-doctor against nginx $DOCTOR_NGINX, express $DOCTOR_EXPRESS, flask $DOCTOR_FLASK, ours ${DOCTOR_OURS:-(not running)}"

# 1. Credentialed GET from the frontend: every server grants it. nginx and Express send their
#    fixed grant to a made-up origin too (D1); Flask's answer varies with Origin without Vary (D2).
expect nginx   0 allowed - - grant-headers-to-any-origin -- --origin "$F" --credentials
expect express 0 allowed - - grant-headers-to-any-origin -- --origin "$F" --credentials
expect flask   0 allowed - - missing-vary-origin         -- --origin "$F" --credentials
expect ours    0 allowed - - -                           -- --origin "$F" --credentials

# 2. The same from another origin: blocked everywhere, for different reasons.
expect nginx   1 blocked allow-origin-matches - grant-headers-to-any-origin -- --origin "$E" --credentials
expect express 1 blocked allow-origin-matches - grant-headers-to-any-origin -- --origin "$E" --credentials
expect flask   1 blocked allow-origin-present - -                           -- --origin "$E" --credentials
expect ours    1 blocked allow-origin-present - -                           -- --origin "$E" --credentials

# 3. Credentialed JSON POST from the frontend: preflighted, granted everywhere.
expect nginx   0 allowed - - grant-headers-to-any-origin -- --origin "$F" --credentials -X POST -H 'Content-Type: application/json'
expect express 0 allowed - - grant-headers-to-any-origin -- --origin "$F" --credentials -X POST -H 'Content-Type: application/json'
expect flask   0 allowed - - missing-vary-origin         -- --origin "$F" --credentials -X POST -H 'Content-Type: application/json'
expect ours    0 allowed - - -                           -- --origin "$F" --credentials -X POST -H 'Content-Type: application/json'

# 4. PUT, a method the policy does not allow: the peers answer the preflight 2xx without PUT,
#    ours 404 without a grant (a GET preflight is granted: the method is what is refused). Flask grants the frontend's preflight but not a made-up origin's,
#    without Vary (D2).
expect nginx   1 blocked allow-methods-cover-method - grant-headers-to-any-origin -- --origin "$F" -X PUT
expect express 1 blocked allow-methods-cover-method - grant-headers-to-any-origin -- --origin "$F" -X PUT
expect flask   1 blocked allow-methods-cover-method - missing-vary-origin         -- --origin "$F" -X PUT
expect ours    1 blocked allow-origin-present method-refused - -- --origin "$F" -X PUT

# 5. A request header the policy does not list. Ours refuses the preflight without any CORS
#    header; the doctor's variations of the preflight find that the header is what is refused.
expect nginx   1 blocked allow-headers-cover-headers - grant-headers-to-any-origin -- --origin "$F" -H 'X-Custom: 1'
expect express 1 blocked allow-headers-cover-headers - grant-headers-to-any-origin -- --origin "$F" -H 'X-Custom: 1'
expect flask   1 blocked allow-headers-cover-headers - missing-vary-origin         -- --origin "$F" -H 'X-Custom: 1'
expect ours    1 blocked allow-origin-present headers-refused - -- --origin "$F" -H 'X-Custom: 1'

# 6. What a proxy in front of the server does, against nginx's extra locations: a dropped
#    preflight is a blocked request (no answer), a same-origin redirect that carries the grant is
#    followed, and a redirect to another origin makes the browser send `Origin: null`, which the
#    fixed grant does not match.
DOCTOR_PATH=/drop/data expect nginx 1 blocked answered - - -- --origin "$F" --credentials -X POST -H 'Content-Type: application/json'
DOCTOR_PATH=/hop/data  expect nginx 0 allowed - - grant-headers-to-any-origin -- --origin "$F" --credentials
DOCTOR_PATH=/away/data expect nginx 1 blocked allow-origin-matches - grant-headers-to-any-origin -- --origin "$F" --credentials

log "cors-doctor: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
