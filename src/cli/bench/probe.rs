//! The machine probe: this machine's core clock (at the bench's start and end), its memory
//! bandwidth and random-load latency, measured in the bench's own process, and the
//! roofline that sets the hot loop's measured rate against them.

use super::Record;
use super::measure::Measurement;
use serde::Serialize;
use std::time::Instant;

/// What this machine's memory does, measured in the bench's own process.
#[derive(Clone, Debug, Serialize)]
pub struct MemoryProbe {
    /// Sequential read bandwidth over 512 MB, 1 thread and every core, GB/s.
    pub read_gb_s_1_thread: f64,
    pub read_gb_s_all_cores: f64,
    /// One dependent load at a random place in 64 MB (a pointer chase), ns.
    pub random_load_ns: f64,
}

/// The core's clock as the bench saw it, at its start and at its end, GHz: on a shared
/// or throttled machine the same binary runs slower when the clock is lower, so two
/// records compare only at like clocks. The chain runs on one thread, so on a machine
/// with turbo it reads the one-core clock, which may exceed the clock of a measurement
/// on every core. `None` off x86-64.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ClockProbe {
    pub start_ghz: Option<f64>,
    pub end_ghz: Option<f64>,
}

/// The core's clock, GHz, timed on a chain of dependent 64-bit multiplies: each takes
/// three cycles on Intel's big cores since Nehalem and AMD's since Zen (on AMD's
/// Bulldozer family and Intel's Atom cores it takes more, and the clock reads low), and
/// a chain of them leaves nothing for the core to overlap. The best of five chains of
/// 20M multiplies (about 20 ms each at 3 GHz), so a descheduled moment does not lower
/// it.
pub fn core_clock_ghz() -> Option<f64> {
    if !cfg!(target_arch = "x86_64") {
        return None;
    }
    const MULTIPLIES: u64 = 20_000_000;
    let mut best = f64::INFINITY;
    for round in 0..5u64 {
        let t = Instant::now();
        std::hint::black_box(multiply_chain(
            std::hint::black_box(3 + 2 * round),
            MULTIPLIES,
        ));
        best = best.min(t.elapsed().as_secs_f64());
    }
    Some(3.0 * MULTIPLIES as f64 / best / 1e9)
}

/// `n` dependent multiplies (squarings) starting from `x`, four to a loop turn so the
/// loop's own counter hides under them.
#[inline(never)]
fn multiply_chain(mut x: u64, n: u64) -> u64 {
    for _ in 0..n / 4 {
        x = x.wrapping_mul(x);
        x = x.wrapping_mul(x);
        x = x.wrapping_mul(x);
        x = x.wrapping_mul(x);
    }
    x
}

/// The hot loop against the machine, at the largest size on the most threads.
#[derive(Clone, Debug, Serialize)]
pub struct Roofline {
    pub residents: u64,
    pub bytes_per_resident_tick: f64,
    /// Bytes a second the resident phase moves at the measured rate (the rate covers the
    /// whole tick, so this is a lower bound for the phase itself), GB/s.
    pub gb_s: f64,
    /// That as a share of the sequential read bandwidth on as many cores.
    pub share_of_bandwidth: f64,
    /// Weak-tie loads a second at the measured rate.
    pub weak_loads_per_second: f64,
    /// Time a resident-tick takes on one thread, ns, and what its weak-tie loads would
    /// take if each went to memory and none overlapped (weak ties × random load time).
    pub ns_per_resident_tick: f64,
    pub ns_if_weak_loads_missed: f64,
}

/// Probe the memory and set the largest measurement on `most` threads against it.
pub(super) fn probe_into(rec: &mut Record, most: usize) {
    let probe = probe_memory();
    rec.roofline = rec
        .measurements
        .iter()
        .filter(|m| m.threads == most)
        .max_by_key(|m| m.residents)
        .map(|m| roofline(m, &probe));
    rec.memory = Some(probe);
}

/// Read bandwidth over 512 MB and random-load latency over 64 MB.
fn probe_memory() -> MemoryProbe {
    const WORDS: usize = 64 << 20; // 512 MB of u64
    let data: Vec<u64> = (0..WORDS as u64).collect();
    let one = read_bandwidth(&data, 1);
    let cores = crate::base::pool::all_cores();
    let all = read_bandwidth(&data, cores);
    drop(data);
    MemoryProbe {
        read_gb_s_1_thread: one,
        read_gb_s_all_cores: all,
        random_load_ns: random_load_ns(),
    }
}

/// GB/s summing `data` on `threads` threads, the best of three.
fn read_bandwidth(data: &[u64], threads: usize) -> f64 {
    use rayon::prelude::*;
    let pool = crate::base::pool::pool(Some(threads)).ok();
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        let sum: u64 = match &pool {
            Some(p) => p.install(|| {
                data.par_chunks(data.len() / threads.max(1))
                    .map(|c| c.iter().fold(0u64, |a, &x| a.wrapping_add(x)))
                    .reduce(|| 0, u64::wrapping_add)
            }),
            None => data.iter().fold(0u64, |a, &x| a.wrapping_add(x)),
        };
        std::hint::black_box(sum);
        best = best.min(t.elapsed().as_secs_f64());
    }
    std::mem::size_of_val(data) as f64 / best / 1e9
}

/// One random cycle through 64 MB, twice the last-level cache (Sattolo's shuffle),
/// followed for 20M dependent steps: ns a step.
fn random_load_ns() -> f64 {
    let mut next: Vec<u32> = (0..(16u32 << 20)).collect();
    let mut s = crate::base::rng::stream(0, crate::base::rng::Purpose::Probe, 0, 0);
    for i in (1..next.len()).rev() {
        let j = s.below(i);
        next.swap(i, j);
    }
    let steps = 20_000_000u32;
    let t = Instant::now();
    let mut at = 0u32;
    for _ in 0..steps {
        at = next[at as usize];
    }
    std::hint::black_box(at);
    t.elapsed().as_secs_f64() * 1e9 / steps as f64
}

fn roofline(m: &Measurement, probe: &MemoryProbe) -> Roofline {
    let cores = crate::base::pool::all_cores();
    let bandwidth = if m.threads >= cores {
        probe.read_gb_s_all_cores
    } else {
        probe.read_gb_s_1_thread * m.threads as f64
    };
    let gb_s = m.resident_ticks_per_second * m.bytes_per_resident_tick / 1e9;
    let weak = m.resident_ticks_per_second * m.weak_ties_per_resident;
    Roofline {
        residents: m.residents,
        bytes_per_resident_tick: m.bytes_per_resident_tick,
        gb_s,
        share_of_bandwidth: gb_s / bandwidth,
        weak_loads_per_second: weak,
        ns_per_resident_tick: 1e9 / m.resident_ticks_per_second_per_core,
        ns_if_weak_loads_missed: m.weak_ties_per_resident * probe.random_load_ns,
    }
}
