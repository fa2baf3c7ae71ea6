//! What CORS costs per request, four ways, through actix-web's service stack
//! (`actix_web::test::init_service` / `call_service`): bare (no CORS), the floor (constant
//! headers), actix-cors, and ours: `#[cors]` on the handler in cases 1 to 5, the app-wide
//! `App::new().wrap(Api)` of a named policy in case 6 (`app_wide.rs`). See `BENCHMARKS.md` at
//! the repository root.
//!
//! `cargo bench -p cors-benches` runs, in one process:
//! 1. a check of every answer of every variant in every case (status, grant, `Vary`);
//! 2. criterion groups, one per case, one benchmark per variant (skip with
//!    `CORS_BENCH_CRITERION=0`; criterion's own options and filters apply);
//! 3. the summary: `CORS_BENCH_ROUNDS` rounds (default 1000) in which every case serves a batch
//!    of `CORS_BENCH_BATCH` requests (default 64) through each of the four variants in turn,
//!    the order rotating each round; per-request time is the median over rounds, a variant's
//!    overhead the median over rounds of its time minus bare's in the same round, and
//!    allocations come from the counting global allocator (skip with `CORS_BENCH_SUMMARY=0`).
//!
//! Smoke mode (`cargo bench -p cors-benches -- --test`, `cargo test -p cors-benches --benches`,
//! or `CORS_BENCH_SMOKE=1`): every step with tiny measurements, so CI keeps the benchmarks
//! building and their answers right; it judges no timing.
//!
//! Instruction counts: `benches/callgrind.sh` runs the binary under callgrind with
//! `CORS_BENCH_CALLGRIND=<requests per case>`, which counts each case and variant separately.

mod alloc;
mod app_wide;
mod apps;
mod callgrind;
mod report;
mod scenarios;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use actix_http::Request;
use actix_rt::SystemRunner;

use crate::apps::{Target, VARIANTS};
use crate::report::{Stats, Unit};
use crate::scenarios::Scenario;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// Criterion benchmark ids of the variants (file-system friendly).
const VARIANT_IDS: [&str; 4] = ["bare", "floor", "actix-cors", "ours"];

struct Config {
    smoke: bool,
    criterion: bool,
    summary: bool,
    rounds: usize,
    batch: usize,
    callgrind: Option<usize>,
}

fn env_num(name: &str) -> Option<usize> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value}: expected a number")),
    )
}

fn env_flag(name: &str, default: bool) -> bool {
    env_num(name).map_or(default, |n| n != 0)
}

impl Config {
    fn from_env() -> Self {
        let args: Vec<String> = std::env::args().collect();
        let has = |flag: &str| args.iter().any(|a| a == flag);
        // `cargo bench` passes `--bench`; `cargo test --benches` does not.
        let smoke = env_flag("CORS_BENCH_SMOKE", false) || has("--test") || !has("--bench");
        let (rounds, batch) = if smoke { (3, 4) } else { (1000, 64) };
        Self {
            smoke,
            criterion: env_flag("CORS_BENCH_CRITERION", true),
            summary: env_flag("CORS_BENCH_SUMMARY", true),
            rounds: env_num("CORS_BENCH_ROUNDS").unwrap_or(rounds).max(1),
            batch: env_num("CORS_BENCH_BATCH").unwrap_or(batch).clamp(1, 100),
            callgrind: env_num("CORS_BENCH_CALLGRIND"),
        }
    }
}

fn scenarios(cases: &[Case]) -> Vec<&Scenario> {
    cases.iter().map(|c| &c.scenario).collect()
}

/// A case with its four services.
struct Case {
    scenario: Scenario,
    targets: [Rc<dyn Target>; 4],
}

fn main() {
    let config = Config::from_env();
    let sys = actix_rt::System::new();
    let routing = apps::Routing::from_env();
    let apps = apps::Apps::build(&sys, routing);
    // Inside the runtime: the HTTP/1 codec that sizes case 5 spawns a timer task.
    let cases: Vec<Case> = sys
        .block_on(async { scenarios::all() })
        .into_iter()
        .map(|scenario| Case {
            targets: apps.variants(scenario.policy),
            scenario,
        })
        .collect();
    check(&sys, &cases);
    match app_wide::check_unrouted(&sys, &apps.app_wide) {
        Ok(note) => println!("{note}"),
        Err(errors) => panic!("wrong answers:\n  {errors}"),
    }
    if let Some(per_case) = config.callgrind {
        count_instructions(&sys, &cases, per_case, config.batch, routing);
        return;
    }
    if config.criterion {
        run_criterion(&sys, &cases, config.batch);
    }
    if config.summary {
        let stats = summary(&sys, &cases, &config);
        let smoke = if config.smoke {
            "SMOKE MODE: tiny measurements; no number below means anything.\n\n"
        } else {
            ""
        };
        let intro = format!(
            "{smoke}Summary ({}): {} rounds; in each, every case serves a batch of {} requests through \
             each variant in turn, the order rotating from round to round. Times are medians \
             over rounds; overhead(x) is the median over rounds of time(x) - time(bare).",
            routing.describe(),
            config.rounds,
            config.batch
        );
        print!(
            "{}",
            report::report(
                &scenarios(&cases),
                &stats,
                Unit::Nanos,
                &intro,
                !config.smoke
            )
        );
    }
}

/// Checks every answer before measuring anything.
fn check(sys: &SystemRunner, cases: &[Case]) {
    let mut errors = Vec::new();
    for case in cases {
        for (variant, target) in case.targets.iter().enumerate() {
            let (status, headers) = target.respond(sys, case.scenario.request());
            if let Err(e) = case.scenario.check(variant, status, &headers) {
                errors.push(e);
            }
        }
    }
    assert!(
        errors.is_empty(),
        "wrong answers:\n  {}",
        errors.join("\n  ")
    );
    println!(
        "checked the answers of {} variants in {} cases",
        VARIANTS.len(),
        cases.len()
    );
}

/// Fills `requests` with `n` new requests of `scenario`.
fn fill(requests: &mut Vec<Request>, scenario: &Scenario, n: usize) {
    requests.clear();
    requests.extend((0..n).map(|_| scenario.request()));
}

/// Serves `iters` requests in batches of at most `batch`; the time spent serving them.
fn time_requests(
    sys: &SystemRunner,
    scenario: &Scenario,
    target: &dyn Target,
    iters: u64,
    batch: usize,
) -> Duration {
    let mut requests = Vec::with_capacity(batch);
    let mut left = iters;
    let mut nanos = 0;
    while left > 0 {
        let n = left.min(batch as u64) as usize;
        fill(&mut requests, scenario, n);
        nanos += target.run(sys, &mut requests).nanos;
        left -= n as u64;
    }
    Duration::from_nanos(nanos)
}

fn run_criterion(sys: &SystemRunner, cases: &[Case], batch: usize) {
    let mut c = criterion::Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20)
        .configure_from_args();
    for case in cases {
        let mut group = c.benchmark_group(&case.scenario.id);
        for (variant, target) in case.targets.iter().enumerate() {
            group.bench_function(VARIANT_IDS[variant], |b| {
                b.iter_custom(|iters| {
                    time_requests(sys, &case.scenario, target.as_ref(), iters, batch)
                })
            });
        }
        group.finish();
    }
    c.final_summary();
}

fn summary(sys: &SystemRunner, cases: &[Case], config: &Config) -> Vec<Stats> {
    let warmup = if config.smoke { 1 } else { 20 };
    let n = cases.len();
    let mut nanos: Vec<[Vec<f64>; 4]> = (0..n).map(|_| Default::default()).collect();
    let mut allocs = vec![[0u64; 4]; n];
    let mut bytes = vec![[0u64; 4]; n];
    let mut requests = Vec::with_capacity(config.batch);
    for round in 0..warmup + config.rounds {
        for (i, case) in cases.iter().enumerate() {
            for k in 0..VARIANTS.len() {
                // Each variant takes each position in the round equally often.
                let variant = (k + round) % VARIANTS.len();
                fill(&mut requests, &case.scenario, config.batch);
                let sample = case.targets[variant].run(sys, &mut requests);
                if round >= warmup {
                    nanos[i][variant].push(sample.nanos as f64 / config.batch as f64);
                    allocs[i][variant] += sample.counts.allocs;
                    bytes[i][variant] += sample.counts.bytes;
                }
            }
        }
    }
    let requests = (config.rounds * config.batch) as u64;
    (0..n)
        .map(|i| Stats::from_rounds(&nanos[i], allocs[i], bytes[i], requests))
        .collect()
}

/// Callgrind mode: instructions per request of each case and variant, counted over
/// `per_case` requests (rounded up to whole batches) after one warm-up batch.
fn count_instructions(
    sys: &SystemRunner,
    cases: &[Case],
    per_case: usize,
    batch: usize,
    routing: apps::Routing,
) {
    assert!(
        callgrind::running_on_valgrind(),
        "CORS_BENCH_CALLGRIND needs `valgrind --tool=callgrind --collect-atstart=no`: use benches/callgrind.sh"
    );
    let out = PathBuf::from(
        std::env::var_os("CORS_BENCH_CALLGRIND_OUT")
            .expect("CORS_BENCH_CALLGRIND_OUT: the --callgrind-out-file path"),
    );
    callgrind::enable();
    let batches = per_case.div_ceil(batch).max(1);
    let counted = (batches * batch) as f64;
    let mut seen = HashSet::new();
    let mut requests = Vec::with_capacity(batch);
    let mut stats = Vec::new();
    for case in cases {
        let mut ir = [0.0; 4];
        let mut allocs = [0u64; 4];
        let mut bytes = [0u64; 4];
        for (variant, target) in case.targets.iter().enumerate() {
            fill(&mut requests, &case.scenario, batch);
            target.run(sys, &mut requests);
            callgrind::zero();
            for _ in 0..batches {
                fill(&mut requests, &case.scenario, batch);
                let counts = target.run(sys, &mut requests).counts;
                allocs[variant] += counts.allocs;
                bytes[variant] += counts.bytes;
            }
            let name = format!("{}/{}", case.scenario.id, VARIANT_IDS[variant]);
            callgrind::dump(&name);
            ir[variant] = read_dump(&out, &name, &mut seen) as f64 / counted;
        }
        let per = |x: u64| x as f64 / counted;
        stats.push(Stats::exact(ir, allocs.map(per), bytes.map(per)));
    }
    let intro = format!(
        "Instructions per request ({}), counted by callgrind over {counted} requests per case \
         and variant (one warm-up batch first).",
        routing.describe()
    );
    print!(
        "{}",
        report::report(&scenarios(cases), &stats, Unit::Instructions, &intro, true)
    );
}

/// The total instruction count of the dump named `name`: callgrind writes each dump to a new
/// file next to `out`; the ones not yet `seen` are searched for the dump's description.
fn read_dump(out: &Path, name: &str, seen: &mut HashSet<PathBuf>) -> u64 {
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let prefix = out
        .file_name()
        .and_then(|f| f.to_str())
        .expect("a file name");
    let desc = format!("desc: Trigger: Client Request: {name}\n");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the callgrind output directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|f| f.to_str())
                .is_some_and(|f| f.starts_with(prefix))
        })
        .filter(|p| !seen.contains(p))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.contains(&desc) {
            seen.insert(path);
            let total = text
                .lines()
                .find_map(|l| {
                    l.strip_prefix("totals: ")
                        .or_else(|| l.strip_prefix("summary: "))
                })
                .expect("a totals line");
            return total
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .expect("an instruction count");
        }
    }
    panic!("no callgrind dump for {name} next to {}", out.display());
}
