//! Callgrind client requests, for counting the instructions of the measured loops only.
//!
//! Under `valgrind --tool=callgrind --collect-atstart=no`, [`collect`] turns collection on around
//! each measured batch and [`dump`] writes what was collected since the previous dump to a file
//! of its own. Outside valgrind the requests are a handful of no-op instructions, and they are
//! issued only when [`enabled`] was set.

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Issues client requests from now on (callgrind mode).
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Whether callgrind mode is on.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// `VG_USERREQ_TOOL_BASE('C', 'T')`, from valgrind's `callgrind.h`.
const BASE: usize = ((b'C' as usize) << 24) | ((b'T' as usize) << 16);
const DUMP_STATS_AT: usize = BASE + 3;
const ZERO_STATS: usize = BASE + 1;
const TOGGLE_COLLECT: usize = BASE + 2;
/// `VG_USERREQ__RUNNING_ON_VALGRIND`, from `valgrind.h`.
const RUNNING_ON_VALGRIND: usize = 0x1001;

/// Valgrind's "client request" magic sequence for amd64 (`valgrind.h`): four rotations of `rdi`
/// by 128 bits in all (a no-op) and `xchg rbx, rbx`. Valgrind recognises the sequence and puts
/// its answer in `rdx`; natively `rdx` keeps `default`.
#[cfg(target_arch = "x86_64")]
fn request(code: usize, arg: usize, default: usize) -> usize {
    let args: [usize; 6] = [code, arg, 0, 0, 0, 0];
    let result: usize;
    // SAFETY: the sequence leaves every register as it found it but `rdx` (declared) and the
    // flags (not declared preserved); valgrind only reads the six words `rax` points to.
    unsafe {
        std::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            inout("rdx") default => result,
            in("rax") args.as_ptr(),
            options(nostack),
        );
    }
    result
}

#[cfg(not(target_arch = "x86_64"))]
fn request(_code: usize, _arg: usize, default: usize) -> usize {
    default
}

/// `true` when running under valgrind.
pub fn running_on_valgrind() -> bool {
    request(RUNNING_ON_VALGRIND, 0, 0) > 0
}

/// Flips callgrind's collection state (off at start with `--collect-atstart=no`).
#[inline]
pub fn collect_toggle() {
    if enabled() {
        request(TOGGLE_COLLECT, 0, 0);
    }
}

/// Zeroes the counters collected so far.
pub fn zero() {
    if enabled() {
        request(ZERO_STATS, 0, 0);
    }
}

/// Writes the counters collected since the last dump or zero to a new dump file, described as
/// `Trigger: Client Request: <name>`.
pub fn dump(name: &str) {
    if enabled() {
        let c = std::ffi::CString::new(name).expect("no NUL in dump names");
        request(DUMP_STATS_AT, c.as_ptr() as usize, 0);
    }
}
