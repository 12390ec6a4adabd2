//! The machine probe: this machine's memory bandwidth and random-load latency, measured in
//! the bench's own process, and the roofline that sets the hot loop's measured rate
//! against them.

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
