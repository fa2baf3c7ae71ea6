#!/usr/bin/env bash
# Compile-time cost of `#[cors]`, as users pay it (the compile-time targets in BENCHMARKS.md):
#  1. `cargo check` of a crate with N annotated handlers vs the same crate without `#[cors]`
#     (dependencies already built; only the crate itself is timed; median of RUNS);
#  1b. `cargo check` of the same N handlers, plain, under one app-wide named policy
#     (`#[policy(...)] struct Api;` and `App::new().wrap(Api)`) vs the same crate without CORS;
#  2. a clean `cargo build` of a minimal actix-web app with cors-runtime vs without it, each in a
#     target directory of its own, emptied first (so both start equally cold, whatever
#     CARGO_TARGET_DIR the caller has set: with a shared one, the second build reused the
#     first's dependencies and the ratio meant nothing).
# Usage: benches/compile_time.sh [N=200] [RUNS=5] [--no-clean-build]
# With COUNT_INSTRUCTIONS=1 (needs valgrind), step 1 also counts the instructions rustc executes
# for each crate, non-incrementally: unlike seconds, that count does not depend on what else the
# machine is doing, so it is the figure to compare across runs.
# The generated crates live in $CARGO_TARGET_DIR/compile-time/ (target/compile-time/ by default)
# and reuse the workspace's Cargo.lock, so the versions match the workspace's. Steps 1 and 1b
# build into the caller's target directory (CARGO_TARGET_DIR, else each crate's own target/).
# Prints tables; writes nothing outside that directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-200}
runs=${2:-5}
clean_build=1
[[ "${3:-}" == "--no-clean-build" ]] && clean_build=0
out="${CARGO_TARGET_DIR:-$root/target}/compile-time"
mkdir -p "$out"

gen_crate() { # dir with_cors handlers; with_cors: 0 none, 1 `#[cors]` per handler, 2 app-wide policy
  local dir=$1 with=$2 count=$3
  mkdir -p "$dir/src"
  {
    echo '[package]'
    echo "name = \"$(basename "$dir")\""
    echo 'version = "0.0.0"'
    echo 'edition = "2021"'
    echo 'publish = false'
    echo '[workspace]'
    echo '[dependencies]'
    echo 'actix-web = { version = "4.18", default-features = false, features = ["macros"] }'
    [[ $with != 0 ]] && echo "cors-runtime = { path = \"$root/cors-runtime\" }"
  } >"$dir/Cargo.toml"
  cp "$root/Cargo.lock" "$dir/Cargo.lock"
  {
    echo 'use actix_web::{App, HttpResponse};'
    [[ $with == 1 ]] && echo 'use cors_runtime::cors;'
    if [[ $with == 2 ]]; then
      echo '#[cors_runtime::policy(origins = ["https://app.example.com", "https://*.partner.example.org"], credentials, methods = ["PUT", "DELETE"], allow_headers = ["Content-Type", "X-Request-Id"], expose_headers = ["X-Trace"], max_age = 600)]'
      echo 'struct Api;'
    fi
    for ((i = 0; i < count; i++)); do
      if [[ $with == 1 ]]; then
        if ((i % 2 == 0)); then
          echo "#[cors(origins = [\"https://app$i.example.com\", \"https://*.partner.example.org\"], credentials, allow_headers = [\"Content-Type\", \"X-Request-Id\"], expose_headers = [\"X-Trace\"], max_age = 600)]"
        else
          echo "#[cors(origins = [\"*\"], allow_headers = [\"Content-Type\"])]"
        fi
      fi
      if ((i % 2 == 0)); then echo "#[actix_web::post(\"/api/items/$i\")]"; else echo "#[actix_web::get(\"/api/items/$i\")]"; fi
      echo "async fn handler_$i() -> HttpResponse { HttpResponse::Ok().body(\"$i\") }"
    done
    echo 'fn main() {'
    if [[ $with == 2 ]]; then echo '    let _app = App::new().wrap(Api)'; else echo '    let _app = App::new()'; fi
    for ((i = 0; i < count; i++)); do echo "        .service(handler_$i)"; done
    echo '    ;'
    echo '}'
  } >"$dir/src/main.rs"
}

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

time_check() { # dir -> median seconds of `cargo check` of the crate alone
  local dir=$1
  (cd "$dir" && cargo check -q 2>/dev/null) # dependencies
  for ((r = 0; r < runs; r++)); do
    touch "$dir/src/main.rs"
    local t0 t1
    t0=$(now)
    (cd "$dir" && cargo check -q)
    t1=$(now)
    awk "BEGIN { print $t1 - $t0 }"
  done | median
}

count_instructions() { # dir -> instructions of a non-incremental `cargo check` of the crate alone
  local dir=$1 wrapper="$out/rustc-callgrind.sh"
  cat >"$wrapper" <<'WRAP'
#!/usr/bin/env bash
rustc=$1; shift
case " $* " in
  *" --crate-name check_"*) exec valgrind --tool=callgrind --callgrind-out-file=/dev/null "$rustc" "$@" 2>>"$CG_LOG" ;;
  *) exec "$rustc" "$@" ;;
esac
WRAP
  chmod +x "$wrapper"
  touch "$dir/src/main.rs"
  : >"$out/callgrind.log"
  (cd "$dir" && CG_LOG="$out/callgrind.log" CARGO_INCREMENTAL=0 RUSTC_WRAPPER="$wrapper" cargo check -q)
  local count
  count=$(grep -h "Collected" "$out/callgrind.log" | awk '{gsub(",", "", $NF); print $NF}' | head -n 1)
  [[ -n $count ]] || { echo "no instruction count for $dir: see $out/callgrind.log" >&2; return 1; }
  echo "$count"
}

printf '## cargo check of a crate with %s handlers (median of %s, dependencies built)\n\n' "$n" "$runs"
gen_crate "$out/check_with" 1 "$n"
gen_crate "$out/check_without" 0 "$n"
gen_crate "$out/check_policy" 2 "$n"
with=$(time_check "$out/check_with")
without=$(time_check "$out/check_without")
policy=$(time_check "$out/check_policy")
printf '| variant | seconds |\n|---|---|\n| without CORS | %.2f |\n| with #[cors] on every handler | %.2f |\n| ratio | %.2f (target <= 1.30) |\n| one app-wide #[policy] + .wrap(Api) | %.2f |\n| ratio | %.3f (target <= 1.05) |\n\n' \
  "$without" "$with" "$(awk "BEGIN { print $with / $without }")" \
  "$policy" "$(awk "BEGIN { print $policy / $without }")"
if [[ "${COUNT_INSTRUCTIONS:-0}" == 1 ]]; then
  i_without=$(count_instructions "$out/check_without")
  i_with=$(count_instructions "$out/check_with")
  i_policy=$(count_instructions "$out/check_policy")
  printf '| variant | instructions (non-incremental check) |\n|---|---|\n| without CORS | %s |\n| with #[cors] on every handler | %s |\n| ratio | %.3f (target <= 1.30) |\n| one app-wide #[policy] + .wrap(Api) | %s |\n| ratio | %.4f (target <= 1.05) |\n\n' \
    "$i_without" "$i_with" "$(awk "BEGIN { print $i_with / $i_without }")" \
    "$i_policy" "$(awk "BEGIN { print $i_policy / $i_without }")"
fi

if ((clean_build)); then
  printf '## clean build of a minimal actix-web app\n\n'
  gen_crate "$out/min_with" 1 1
  gen_crate "$out/min_without" 0 1
  build() { # dir -> seconds of a clean `cargo build`, in an emptied target directory of its own
    local target="$1/target"
    rm -rf "$target"
    local t0 t1
    t0=$(now)
    # No inherited target directory (a shared one keeps the other build's dependencies) and no
    # compiler wrapper (a cache would serve them too).
    (cd "$1" && env -u CARGO_BUILD_TARGET_DIR -u RUSTC_WRAPPER -u CARGO_BUILD_RUSTC_WRAPPER \
      CARGO_TARGET_DIR="$target" cargo build -q)
    t1=$(now)
    awk "BEGIN { print $t1 - $t0 }"
  }
  # Alternate to spread the machine's noise over both.
  b_without=$(build "$out/min_without")
  b_with=$(build "$out/min_with")
  b_without2=$(build "$out/min_without")
  b_with2=$(build "$out/min_with")
  bw=$(printf '%s\n%s\n' "$b_with" "$b_with2" | median)
  bo=$(printf '%s\n%s\n' "$b_without" "$b_without2" | median)
  printf '| variant | seconds (mean of 2) |\n|---|---|\n| actix-web only | %.1f |\n| with cors-runtime | %.1f |\n| ratio | %.2f (target <= 1.15) |\n' \
    "$bo" "$bw" "$(awk "BEGIN { print $bw / $bo }")"
fi
