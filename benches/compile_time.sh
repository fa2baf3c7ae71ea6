#!/usr/bin/env bash
# Compile-time cost of `#[cors]`, as users pay it (issue "Performance", compile-time targets):
#  1. `cargo check` of a crate with N annotated handlers vs the same crate without `#[cors]`
#     (dependencies already built; only the crate itself is timed; median of RUNS);
#  2. a clean `cargo build` of a minimal actix-web app with cors-runtime vs without it.
# Usage: benches/compile_time.sh [N=200] [RUNS=5] [--no-clean-build]
# With COUNT_INSTRUCTIONS=1 (needs valgrind), step 1 also counts the instructions rustc executes
# for each crate, non-incrementally: unlike seconds, that count does not depend on what else the
# machine is doing, so it is the figure to compare across runs.
# The generated crates live in target/compile-time/ and reuse the workspace's Cargo.lock, so the
# versions match the workspace's. Prints a table; writes nothing outside target/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-200}
runs=${2:-5}
clean_build=1
[[ "${3:-}" == "--no-clean-build" ]] && clean_build=0
out="$root/target/compile-time"
mkdir -p "$out"

gen_crate() { # dir with_cors handlers
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
    [[ $with == 1 ]] && echo "cors-runtime = { path = \"$root/cors-runtime\" }"
  } >"$dir/Cargo.toml"
  cp "$root/Cargo.lock" "$dir/Cargo.lock"
  {
    echo 'use actix_web::{App, HttpResponse};'
    [[ $with == 1 ]] && echo 'use cors_runtime::cors;'
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
    echo '    let _app = App::new()'
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
  grep -h "Collected" "$out/callgrind.log" | awk '{gsub(",", "", $NF); print $NF}' | head -n 1
}

printf '## cargo check of a crate with %s handlers (median of %s, dependencies built)\n\n' "$n" "$runs"
gen_crate "$out/check_with" 1 "$n"
gen_crate "$out/check_without" 0 "$n"
with=$(time_check "$out/check_with")
without=$(time_check "$out/check_without")
printf '| variant | seconds |\n|---|---|\n| without #[cors] | %.2f |\n| with #[cors] | %.2f |\n| ratio | %.2f (target <= 1.30) |\n\n' \
  "$without" "$with" "$(awk "BEGIN { print $with / $without }")"
if [[ "${COUNT_INSTRUCTIONS:-0}" == 1 ]]; then
  i_without=$(count_instructions "$out/check_without")
  i_with=$(count_instructions "$out/check_with")
  printf '| variant | instructions (non-incremental check) |\n|---|---|\n| without #[cors] | %s |\n| with #[cors] | %s |\n| ratio | %.2f (target <= 1.30) |\n\n' \
    "$i_without" "$i_with" "$(awk "BEGIN { print $i_with / $i_without }")"
fi

if ((clean_build)); then
  printf '## clean build of a minimal actix-web app\n\n'
  gen_crate "$out/min_with" 1 1
  gen_crate "$out/min_without" 0 1
  build() { # dir -> seconds of a clean `cargo build`
    rm -rf "$1/target"
    local t0 t1
    t0=$(now)
    (cd "$1" && cargo build -q)
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
