#!/usr/bin/env bash
# Loopback load test: requests per second that a real actix-web `HttpServer` serves for a CORS
# preflight and for an actual GET, with `#[cors]` and with actix-cors, under wrk.
#
#   benches/load.sh
#
# Builds `load_server` (benches/examples/load_server.rs: the benchmarks' policy on
# `GET /api/items`) in release, then for each round and each variant, in turn: starts a fresh
# server on 127.0.0.1, checks its answers with curl, runs wrk on the preflight (OPTIONS + Origin
# + Access-Control-Request-Method + Access-Control-Request-Headers) and on the GET (allowed
# Origin), each after a short warm-up, and stops the server. Prints a table of requests per second
# (median over rounds, every round's value in brackets) and the ratio #[cors] / actix-cors, then
# the server's CPU time per request (user + system, all its threads, from /proc), which does not
# depend on whether wrk or the server is the bottleneck.
# Installs wrk with apt-get if it is missing.
#
# Settings (environment):
#   LOAD_DURATION     seconds of each measured wrk run (10)
#   LOAD_WARMUP       seconds of the wrk run before each measured one, 0 for none (2)
#   LOAD_THREADS      wrk threads (1)
#   LOAD_CONNECTIONS  wrk connections, kept alive (32)
#   LOAD_ROUNDS       rounds; the variants alternate within each (3)
#   LOAD_WORKERS      server workers (1: on a two-CPU machine wrk gets the other CPU)
#   LOAD_PORT         the loopback port (18080); must be free
#
# Loopback only, and bounded: apt-get and wrk run under `timeout`, the server's start-up is polled
# for at most 10 s and its stop waited for at most 5 s (then SIGKILL); the server also exits by
# itself after --exit-after seconds, should this script be killed outright. The EXIT trap stops
# the server and removes the temporary directory (wrk's Lua scripts, the logs). Only the cargo
# build is not bounded.
set -euo pipefail
shopt -s inherit_errexit
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

duration=${LOAD_DURATION:-10}
warmup=${LOAD_WARMUP:-2}
threads=${LOAD_THREADS:-1}
connections=${LOAD_CONNECTIONS:-32}
rounds=${LOAD_ROUNDS:-3}
workers=${LOAD_WORKERS:-1}
port=${LOAD_PORT:-18080}
for v in duration warmup threads connections rounds workers port; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "load.sh: $v=${!v}: expected a whole number" >&2; exit 2; }
done
((duration > 0 && threads > 0 && connections > 0 && rounds > 0 && workers > 0 && port > 0)) ||
  { echo "load.sh: settings must be positive (LOAD_WARMUP may be 0)" >&2; exit 2; }

host=127.0.0.1
url="http://$host:$port/api/items"
origin=https://partner.example.org # allowed by the policy (the benchmarks' ALLOWED)
acrh=content-type,x-api-key         # the benchmarks' TWO_HEADERS
variants=(cors actix-cors)
cases=(preflight get)

tmp=$(mktemp -d)
server_pid=
stop_server() {
  [[ -n $server_pid ]] || return 0
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}
wrk_pid=
cleanup() {
  if [[ -n $wrk_pid ]]; then
    kill -TERM "$wrk_pid" 2>/dev/null || true # timeout passes it on to wrk
    wait "$wrk_pid" 2>/dev/null || true
  fi
  stop_server
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! command -v wrk >/dev/null; then
  echo "wrk not found: installing it (apt-get install -y wrk)" >&2
  sudo=
  ((EUID == 0)) || sudo=sudo
  timeout 300 $sudo apt-get install -y wrk >&2 ||
    { timeout 300 $sudo apt-get update >&2 && timeout 300 $sudo apt-get install -y wrk >&2; }
fi
command -v curl >/dev/null || { echo "load.sh: curl is needed to check the answers" >&2; exit 1; }

cargo build -q -p cors-benches --release --example load_server
exe="${CARGO_TARGET_DIR:-$root/target}/release/examples/load_server"
[[ -x $exe ]] || { echo "load.sh: $exe not built" >&2; exit 1; }

cat >"$tmp/preflight.lua" <<LUA
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "$origin"
wrk.headers["Access-Control-Request-Method"] = "GET"
wrk.headers["Access-Control-Request-Headers"] = "$acrh"
LUA
cat >"$tmp/get.lua" <<LUA
wrk.method = "GET"
wrk.headers["Origin"] = "$origin"
LUA

# The server's life: every run of a round plus a margin; it exits by itself after that.
lifetime=$(((duration + warmup + 30) * ${#cases[@]} + 60))

start_server() { # variant
  if curl -s -o /dev/null --max-time 1 "$url"; then
    echo "load.sh: something already answers on $host:$port (set LOAD_PORT)" >&2
    exit 1
  fi
  "$exe" --variant "$1" --port "$port" --workers "$workers" --exit-after "$lifetime" \
    >"$tmp/server-$1.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do # up to 10 s
    if curl -s -o /dev/null --max-time 1 "$url"; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "load.sh: the $1 server did not start:" >&2
  cat "$tmp/server-$1.log" >&2
  exit 1
}

check_answers() { # variant: the grant must be there, or wrk would measure something else
  local pre_status want_pre get_status headers
  want_pre=204
  [[ $1 == actix-cors ]] && want_pre=200
  headers="$tmp/headers"
  pre_status=$(curl -s -o /dev/null -D "$headers" --max-time 5 -w '%{http_code}' -X OPTIONS \
    -H "Origin: $origin" -H 'Access-Control-Request-Method: GET' \
    -H "Access-Control-Request-Headers: $acrh" "$url")
  if [[ $pre_status != "$want_pre" ]] ||
    ! grep -qi "^access-control-allow-origin: $origin" "$headers"; then
    echo "load.sh: $1: unexpected preflight answer ($pre_status):" >&2
    cat "$headers" >&2
    exit 1
  fi
  get_status=$(curl -s -o /dev/null -D "$headers" --max-time 5 -w '%{http_code}' \
    -H "Origin: $origin" "$url")
  if [[ $get_status != 200 ]] || ! grep -qi "^access-control-allow-origin: $origin" "$headers"; then
    echo "load.sh: $1: unexpected GET answer ($get_status):" >&2
    cat "$headers" >&2
    exit 1
  fi
}

run_wrk() { # case seconds: wrk's report in $tmp/wrk.out
  # In the background, so that a signal to this script interrupts the `wait` at once.
  timeout $(($2 + 30)) wrk -t"$threads" -c"$connections" -d"$2s" -s "$tmp/$1.lua" "$url" \
    >"$tmp/wrk.out" &
  wrk_pid=$!
  local rc=0
  wait "$wrk_pid" || rc=$?
  wrk_pid=
  ((rc == 0)) || { echo "load.sh: wrk failed or timed out on $1 (status $rc)" >&2; exit 1; }
  if grep -q 'Non-2xx or 3xx responses\|Socket errors' "$tmp/wrk.out"; then
    echo "load.sh: wrk reported errors on $1:" >&2
    cat "$tmp/wrk.out" >&2
    exit 1
  fi
}

cpu_ticks() { # the server's user + system time so far, all threads, in clock ticks
  # Fields 14 and 15 of /proc/PID/stat, counted after the command name's closing parenthesis.
  sed 's/^.*) //' "/proc/$server_pid/stat" | awk '{ print $12 + $13 }'
}
clk_tck=$(getconf CLK_TCK)

declare -A rps cpu # [variant/case] = space-separated values, one per round
echo "load_server: $workers worker(s); wrk: -t$threads -c$connections -d${duration}s (warm-up ${warmup}s); $rounds round(s)" >&2
for ((round = 1; round <= rounds; round++)); do
  # Alternate which variant goes first.
  order=("${variants[@]}")
  ((round % 2 == 0)) && order=("${variants[1]}" "${variants[0]}")
  for variant in "${order[@]}"; do
    start_server "$variant"
    check_answers "$variant"
    for case in "${cases[@]}"; do
      ((warmup > 0)) && run_wrk "$case" "$warmup"
      t0=$(cpu_ticks)
      run_wrk "$case" "$duration"
      t1=$(cpu_ticks)
      r=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.out")
      n=$(awk '/ requests in / { print $1 }' "$tmp/wrk.out")
      secs=$(awk '/ requests in / { sub(/s,$/, "", $4); print $4 }' "$tmp/wrk.out")
      if [[ -z $r || -z $n || -z $secs ]]; then
        echo "load.sh: cannot read wrk's report:" >&2
        cat "$tmp/wrk.out" >&2
        exit 1
      fi
      # Server CPU time per request, in microseconds, and the share of one CPU it used.
      us=$(awk "BEGIN { print ($t1 - $t0) / $clk_tck / $n * 1e6 }")
      share=$(awk "BEGIN { print ($t1 - $t0) / $clk_tck / $secs * 100 }")
      rps[$variant/$case]+="$r "
      cpu[$variant/$case]+="$us "
      printf 'round %d: %-10s %-9s %10.0f requests/s, server CPU %5.2f us/request (%3.0f%% of a CPU)\n' \
        "$round" "$variant" "$case" "$r" "$us" "$share" >&2
    done
    stop_server
  done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
spread() { tr ' ' '\n' | grep . | awk -v d="$1" '{ printf "%s" "%." d "f", (NR > 1 ? ", " : ""), $1 }'; }

label() {
  case $1 in
    preflight) echo "preflight (OPTIONS, allowed origin, 2 headers)" ;;
    get) echo "GET, allowed origin" ;;
  esac
}
printf '\n| case | #[cors], requests/s | actix-cors, requests/s | #[cors] / actix-cors |\n|---|---:|---:|---:|\n'
for case in "${cases[@]}"; do
  c=$(median <<<"${rps[cors/$case]}")
  a=$(median <<<"${rps[actix-cors/$case]}")
  printf '| %s | %.0f (%s) | %.0f (%s) | %.2f |\n' "$(label "$case")" \
    "$c" "$(spread 0 <<<"${rps[cors/$case]}")" "$a" "$(spread 0 <<<"${rps[actix-cors/$case]}")" \
    "$(awk "BEGIN { print $c / $a }")"
done
printf '\n| case | #[cors], server CPU us/request | actix-cors, server CPU us/request | actix-cors / #[cors] |\n|---|---:|---:|---:|\n'
for case in "${cases[@]}"; do
  c=$(median <<<"${cpu[cors/$case]}")
  a=$(median <<<"${cpu[actix-cors/$case]}")
  printf '| %s | %.2f (%s) | %.2f (%s) | %.2f |\n' "$(label "$case")" \
    "$c" "$(spread 2 <<<"${cpu[cors/$case]}")" "$a" "$(spread 2 <<<"${cpu[actix-cors/$case]}")" \
    "$(awk "BEGIN { print $a / $c }")"
done
printf '\nMedians over %d round(s), each round'"'"'s value in brackets; one fresh server per variant and round.\n' "$rounds"
printf 'Server CPU: user + system time of the whole server process (all threads) during the measured run, per request.\n'
