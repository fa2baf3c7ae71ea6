#!/usr/bin/env bash
# Reliability under load: the demo's API (examples/src/bin/demo.rs, 127.0.0.1:8080) under a
# bounded, mixed, high-concurrency load on loopback. Not a benchmark (benches/load.sh measures
# throughput): this checks that nothing falls over and nothing is granted that should not be.
#
#   tests/load/run.sh                   # three phases: 60 s, 30 s, 30 s (about 2.5 minutes in all)
#   LOAD_SECONDS=5 tests/load/run.sh    # smoke run
#
# Builds the demo in release, starts it, and runs wrk with a Lua script that rotates among
# allowed and refused preflights, allowed and refused actual requests, requests without Origin,
# hostile origins, and malformed requests (control bytes, a 64 KB Origin, a 4 KB
# Access-Control-Request-Headers of commas). Every response wrk sees is checked for what can be
# judged without knowing its request: no 5xx, `Access-Control-Allow-Origin` only ever `*` or the
# one origin the demo lists, never `*` with `Access-Control-Allow-Credentials`. Meanwhile curl
# sends a fixed sample of requests with known answers, again and again, and checks each answer
# exactly: a refused origin never gets `Access-Control-Allow-Origin`, even while other
# connections are granted. The demo's resident memory (VmRSS) is read before, between and after
# the phases.
#
# Exit status: 0 when every check held; 1 on any 5xx, wrong grant, unexpected sample answer,
# or failure of the demo or wrk; 2 on bad settings.
#
# Settings (environment):
#   LOAD_SECONDS      seconds of the first phase; the other two last half as long (60)
#   LOAD_CONNECTIONS  wrk connections of the first and third phases; the second ("crowd") uses
#                     four times as many (256)
#   LOAD_THREADS      wrk threads (2)
#
# Loopback only, and bounded: wrk and curl run under `timeout`, the demo's start-up is polled for
# at most 20 s and its stop waited for at most 5 s (then SIGKILL). The EXIT trap stops the demo,
# wrk and the sampler, and removes the temporary directory. Only the cargo build is not bounded.
set -euo pipefail
shopt -s inherit_errexit
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

seconds=${LOAD_SECONDS:-60}
connections=${LOAD_CONNECTIONS:-256}
threads=${LOAD_THREADS:-2}
for v in seconds connections threads; do
  if ! [[ ${!v} =~ ^[0-9]+$ ]] || ((${!v} == 0)); then
    echo "run.sh: $v=${!v}: expected a positive whole number" >&2
    exit 2
  fi
done
((seconds <= 300)) || { echo "run.sh: LOAD_SECONDS is at most 300" >&2; exit 2; }

host=127.0.0.1
api="http://$host:8080"
allowed="http://$host:3000" # the demo's one listed origin
refused="http://$host:3001" # the demo's page on an origin it does not list

tmp=$(mktemp -d)
demo_pid=
wrk_pid=
sampler_pid=
cleanup() {
  for pid in "$wrk_pid" "$sampler_pid"; do
    [[ -n $pid ]] || continue
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n $demo_pid ]] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -TERM "$demo_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
  fi
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
command -v curl >/dev/null || { echo "run.sh: curl is needed" >&2; exit 1; }

cargo build -q --release -p cors-examples --bin demo
exe="${CARGO_TARGET_DIR:-$root/target}/release/demo"
[[ -x $exe ]] || { echo "run.sh: $exe not built" >&2; exit 1; }

for port in 8080 3000 3001; do
  if curl -s -o /dev/null --max-time 1 "http://$host:$port/"; then
    echo "run.sh: something already answers on $host:$port (another demo?)" >&2
    exit 1
  fi
done

# The demo logs one line per API request on stdout: discarded, or it would fill the disk.
"$exe" >/dev/null 2>"$tmp/demo.err" &
demo_pid=$!
for _ in $(seq 200); do # up to 20 s
  curl -s -o /dev/null --max-time 1 "$api/" && break
  kill -0 "$demo_pid" 2>/dev/null || { echo "run.sh: the demo exited:" >&2; cat "$tmp/demo.err" >&2; exit 1; }
  sleep 0.1
done
curl -s -o /dev/null --max-time 1 "$api/" || { echo "run.sh: the demo did not start" >&2; exit 1; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$demo_pid/status"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$demo_pid/status"; }
alive() {
  kill -0 "$demo_pid" 2>/dev/null ||
    { echo "run.sh: the demo died:" >&2; cat "$tmp/demo.err" >&2; exit 1; }
}

# ------------------------------------------------------------------------------------------------
# wrk's script. Each connection cycles through the requests below (built once per thread). wrk
# does not say which request a response answers, so `response` checks what holds for all of them.

huge=$(head -c 65536 /dev/zero | tr '\0' a)
commas=$(head -c 4096 /dev/zero | tr '\0' ,)
cat >"$tmp/mixed.lua" <<LUA
local allowed, refused = "$allowed", "$refused"
local reqs = {}
local function add(r) table.insert(reqs, r) end
local function f(method, path, headers) return wrk.format(method, path, headers) end

function init(args)
  -- Preflights: allowed, refused origin, refused header, hostile origins, too long a list.
  add(f("OPTIONS", "/api/items", { Origin = allowed, ["Access-Control-Request-Method"] = "PUT",
    ["Access-Control-Request-Headers"] = "content-type,x-demo" }))
  add(f("OPTIONS", "/api/items", { Origin = refused, ["Access-Control-Request-Method"] = "PUT" }))
  add(f("OPTIONS", "/api/login", { Origin = allowed, ["Access-Control-Request-Method"] = "POST",
    ["Access-Control-Request-Headers"] = "x-unlisted" }))
  add(f("OPTIONS", "/api/me", { Origin = "null", ["Access-Control-Request-Method"] = "GET" }))
  add(f("OPTIONS", "/api/me", { Origin = "http://127.0.0.1:3000.evil.com", ["Access-Control-Request-Method"] = "GET" }))
  add(f("OPTIONS", "/api/public", { Origin = "https://evil.com", ["Access-Control-Request-Method"] = "GET" }))
  add(f("OPTIONS", "/api/items", { Origin = allowed, ["Access-Control-Request-Method"] = "PUT",
    ["Access-Control-Request-Headers"] = "$commas" }))
  add(f("OPTIONS", "/api/items", { Origin = allowed, ["Access-Control-Request-Method"] = "DELETE" }))
  -- Actual requests: allowed, refused, hostile, none.
  add(f("GET", "/api/me", { Origin = allowed }))
  add(f("GET", "/api/me", { Origin = refused }))
  add(f("PUT", "/api/items", { Origin = allowed, ["X-Demo"] = "1" }))
  add(f("PUT", "/api/items", { Origin = "http://localhost:3000" }))
  add(f("POST", "/api/login", { Origin = allowed, ["Content-Type"] = "application/json" }))
  add(f("POST", "/api/login", { Origin = "HTTP://127.0.0.1:3000" }))
  add(f("GET", "/api/public", { Origin = "https://evil.com" }))
  add(f("GET", "/api/public", {}))
  add(f("GET", "/api/me", {}))
  add(f("GET", "/", { Origin = refused }))
  add(f("GET", "/api/me", { Origin = "http://127.0.0.1:3000/" }))
  add(f("GET", "/api/me", { Origin = "http://127.0.0.1:03000" }))
  -- Malformed, each once per cycle: actix-web answers 400 or 431 and closes the connection.
  add("GET /api/me HTTP/1.1\r\nHost: $host:8080\r\nOrigin: http://127.0.0.1:3000\1\r\n\r\n")
  add("GET /api/me HTTP/1.1\r\nHost: $host:8080\r\nOrigin: $huge\r\n\r\n")
  add("OPTIONS /api/items HTTP/1.1\r\nHost: $host:8080\r\nOrigin: http://127.0.0.1:3000\r\n"
    .. "Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: x-demo\0\r\n\r\n")
  i = 0
  -- Counters, read by done() through thread:get (numbers only).
  n, s2xx, s3xx, s4xx, s5xx, s400, s401, s403, s404, s431 = 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  granted, star, wrong = 0, 0, 0
  first_wrong = ""
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function response(status, headers, body)
  n = n + 1
  if status >= 500 then s5xx = s5xx + 1
  elseif status >= 400 then s4xx = s4xx + 1
  elseif status >= 300 then s3xx = s3xx + 1
  else s2xx = s2xx + 1 end
  if status == 400 then s400 = s400 + 1 elseif status == 401 then s401 = s401 + 1
  elseif status == 403 then s403 = s403 + 1 elseif status == 404 then s404 = s404 + 1
  elseif status == 431 then s431 = s431 + 1 end
  local acao, acac, vary
  for k, v in pairs(headers) do
    local lk = string.lower(k)
    if lk == "access-control-allow-origin" then acao = v
    elseif lk == "access-control-allow-credentials" then acac = v
    elseif lk == "vary" then vary = v end
  end
  local bad
  if acao == "*" then
    star = star + 1
    if acac then bad = "ACAO * with credentials" end
  elseif acao == allowed then
    granted = granted + 1
    if not (vary and string.find(string.lower(vary), "origin", 1, true)) then bad = "grant without Vary: Origin" end
  elseif acao then
    bad = "ACAO " .. acao
  elseif acac then
    bad = "credentials without ACAO"
  end
  if status == 403 and acao then bad = "refused preflight with ACAO" end
  if bad then
    wrong = wrong + 1
    if first_wrong == "" then first_wrong = status .. ": " .. bad end
  end
end

local threads = {}
function setup(thread) table.insert(threads, thread) end

function done(summary, latency, requests)
  local keys = { "n", "s2xx", "s3xx", "s4xx", "s5xx", "s400", "s401", "s403", "s404", "s431", "granted", "star", "wrong" }
  local total = {}
  for _, k in ipairs(keys) do total[k] = 0 end
  local first = ""
  for _, t in ipairs(threads) do
    for _, k in ipairs(keys) do total[k] = total[k] + t:get(k) end
    if first == "" then first = t:get("first_wrong") end
  end
  local out = {}
  for _, k in ipairs(keys) do table.insert(out, k .. "=" .. total[k]) end
  io.write("COUNTS " .. table.concat(out, " ") .. "\n")
  io.write("FIRST_WRONG " .. first .. "\n")
  io.write(string.format("SUMMARY requests=%d seconds=%.1f connect_errors=%d read_errors=%d write_errors=%d timeouts=%d status_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.errors.status))
  io.write(string.format("LATENCY p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
LUA

# ------------------------------------------------------------------------------------------------
# The sampler: requests with known answers, checked exactly, sent in a loop while wrk runs.
# Each line: method, path, origin ("-" for none), ACRM ("-"), ACRH ("-"), expected status,
# expected Access-Control-Allow-Origin ("-" for none), expected -Allow-Credentials ("-").
cat >"$tmp/samples" <<EOF
OPTIONS /api/items $allowed PUT x-demo 204 $allowed true
OPTIONS /api/items $refused PUT - 403 - -
OPTIONS /api/login $allowed POST content-type 204 $allowed true
OPTIONS /api/login $refused POST content-type 403 - -
OPTIONS /api/me null GET - 403 - -
OPTIONS /api/public https://evil.com GET - 204 * -
GET /api/me $allowed - - 401 $allowed true
GET /api/me $refused - - 401 - -
GET /api/me http://127.0.0.1:3000.evil.com - - 401 - -
GET /api/me http://localhost:3000 - - 401 - -
PUT /api/items $allowed - - 200 $allowed true
PUT /api/items $refused - - 200 - -
GET /api/public $refused - - 200 * -
GET /api/me - - - 401 - -
EOF

sampler() { # until killed: samples sent, wrong answers, first wrong answer, in $tmp/sampler.*
  # Runs in a background subshell: the script's traps (which stop the demo) are not its own.
  trap - EXIT INT TERM
  set +e
  local sent=0 bad=0 method path origin acrm acrh want_status want_acao want_acac
  local args status acao acac
  while :; do
    while read -r method path origin acrm acrh want_status want_acao want_acac; do
      args=(-s -o /dev/null -D "$tmp/sample.h" --max-time 10 -w '%{http_code}' -X "$method")
      [[ $origin == - ]] || args+=(-H "Origin: $origin")
      [[ $acrm == - ]] || args+=(-H "Access-Control-Request-Method: $acrm")
      [[ $acrh == - ]] || args+=(-H "Access-Control-Request-Headers: $acrh")
      : >"$tmp/sample.h"
      status=$(timeout 15 curl "${args[@]}" "$api$path")
      acao=$(tr -d '\r' <"$tmp/sample.h" | awk -F': ' 'tolower($1) == "access-control-allow-origin" { print $2 }')
      acac=$(tr -d '\r' <"$tmp/sample.h" | awk -F': ' 'tolower($1) == "access-control-allow-credentials" { print $2 }')
      sent=$((sent + 1))
      if [[ $status != "$want_status" || ${acao:--} != "$want_acao" || ${acac:--} != "$want_acac" ]]; then
        bad=$((bad + 1))
        [[ -s $tmp/sampler.first ]] ||
          echo "$method $path Origin=$origin: got $status ACAO=${acao:--} ACAC=${acac:--}, want $want_status ACAO=$want_acao ACAC=$want_acac" >"$tmp/sampler.first"
      fi
      echo "$sent $bad" >"$tmp/sampler.count"
    done <"$tmp/samples"
  done
}

# ------------------------------------------------------------------------------------------------

rss_start=$(rss_kb)
echo "demo: pid $demo_pid, VmRSS ${rss_start} kB at start; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
failed=0
report=()
rss_after=()

run_phase() { # name seconds connections
  local name=$1 secs=$2 conns=$3
  echo "phase $name: wrk -t$threads -c$conns -d${secs}s, sampler in parallel" >&2
  : >"$tmp/sampler.first"
  echo "0 0" >"$tmp/sampler.count"
  sampler &
  sampler_pid=$!
  timeout $((secs + 60)) wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$tmp/mixed.lua" "$api/" \
    >"$tmp/wrk-$name.out" 2>&1 &
  wrk_pid=$!
  local rc=0
  wait "$wrk_pid" || rc=$?
  wrk_pid=
  kill -TERM "$sampler_pid" 2>/dev/null || true
  wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=
  alive
  ((rc == 0)) || { echo "run.sh: wrk failed or timed out (status $rc):" >&2; cat "$tmp/wrk-$name.out" >&2; exit 1; }
  local counts summary latency first rate sent bad
  counts=$(sed -n 's/^COUNTS //p' "$tmp/wrk-$name.out")
  summary=$(sed -n 's/^SUMMARY //p' "$tmp/wrk-$name.out")
  latency=$(sed -n 's/^LATENCY //p' "$tmp/wrk-$name.out")
  first=$(sed -n 's/^FIRST_WRONG //p' "$tmp/wrk-$name.out")
  rate=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk-$name.out")
  [[ -n $counts && -n $summary ]] || { echo "run.sh: cannot read wrk's report:" >&2; cat "$tmp/wrk-$name.out" >&2; exit 1; }
  read -r sent bad <"$tmp/sampler.count"
  local s5xx wrong
  s5xx=$(tr ' ' '\n' <<<"$counts" | awk -F= '$1 == "s5xx" { print $2 }')
  wrong=$(tr ' ' '\n' <<<"$counts" | awk -F= '$1 == "wrong" { print $2 }')
  rss_after+=("$(rss_kb)")
  report+=("phase $name ($secs s, $conns connections, $threads wrk threads): $summary rate=$rate/s")
  report+=("  responses: $counts")
  report+=("  latency: $latency")
  report+=("  sampler (curl, exact answers): sent=$sent wrong=$bad")
  report+=("  VmRSS after the phase: ${rss_after[-1]} kB")
  if ((s5xx > 0)); then echo "run.sh: $s5xx responses with status 5xx" >&2; failed=1; fi
  if ((wrong > 0)); then echo "run.sh: $wrong wrong grants seen by wrk; first: $first" >&2; failed=1; fi
  if ((bad > 0)); then echo "run.sh: $bad wrong sample answers; first: $(cat "$tmp/sampler.first")" >&2; failed=1; fi
  if ((sent == 0)); then echo "run.sh: the sampler sent nothing" >&2; failed=1; fi
}

# The same mix at the set concurrency, at four times that, then at the set one again: memory that
# grew in the first phases and grows again in the third would be a leak, not the allocator
# keeping what the crowd needed.
half=$(((seconds + 1) / 2))
run_phase mixed "$seconds" "$connections"
run_phase crowd "$half" "$((connections * 4))"
run_phase again "$half" "$connections"

# Idle a little, then the final figure: memory that is not given back after the load would show.
sleep 5
alive
rss_end=$(rss_kb)
hwm=$(hwm_kb)

printf '%s\n' "${report[@]}"
echo "VmRSS: start ${rss_start} kB, end ${rss_end} kB (after 5 s idle), peak (VmHWM) ${hwm} kB"
echo "machine: $(nproc) CPUs, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
if ((failed)); then
  echo "FAILED" >&2
  exit 1
fi
echo "OK: no 5xx, no wrong grant"
