//! `linkage bench`: what a tick costs against size and threads, and the performance
//! targets of docs/performance.md checked against the figures.
//!
//! Each measurement runs in a child process (`linkage bench-one`, hidden), so that its
//! peak memory is its own and one measurement's caches and heap do not flatter the next.
//! The child builds the world (timed apart), runs the ticks, and prints one JSON line.

use super::{Failure, RunArgs};
use crate::engine::world::World;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::process::Command;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Resident counts to measure (comma-separated) [default: 10000,100000,1000000].
    #[arg(long, value_delimiter = ',', value_parser = super::parse_residents)]
    pub sizes: Vec<u64>,
    /// Thread counts to compare (comma-separated) [default: 1,2].
    #[arg(long, value_delimiter = ',', value_parser = super::parse_threads)]
    pub threads: Vec<usize>,
    /// Days each measurement simulates, from day 0 [default: 30].
    #[arg(long, value_parser = super::parse_ticks)]
    pub ticks: Option<u32>,
    /// Scenario scaled to each size (built-in name or .toml file).
    #[arg(long, default_value = crate::scenario::builtin::DEFAULT)]
    pub scenario: String,
    /// Regime to run.
    #[arg(long, default_value = "linkage")]
    pub regime: String,
    /// Skip the full-city run (3.2M residents × 365 days; about a minute on 2 cores).
    #[arg(long)]
    pub no_full_city: bool,
    /// A smoke test for CI: 10,000 and 100,000 residents, 10 days, no full city.
    #[arg(long)]
    pub quick: bool,
    /// Rounds: every configuration is measured once a round, in turn, and its fastest
    /// round is kept, so a busy spell on a shared machine hits all configurations alike
    /// [default: 5; 1 with --quick].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub rounds: Option<u32>,
    /// Print one JSON record on stdout instead of the table (the table goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// Exit with code 1 if a target is missed.
    #[arg(long)]
    pub check: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// One measurement, as `bench-one` reports it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Measurement {
    pub scenario: String,
    pub residents: u64,
    pub threads: usize,
    pub ticks: u32,
    /// Times the world was built and run; the fastest run is kept.
    pub repeats: u32,
    pub build_seconds: f64,
    /// Time of all the ticks of the fastest repeat, building excluded.
    pub tick_seconds: f64,
    pub ms_per_tick: f64,
    pub resident_ticks_per_second: f64,
    pub resident_ticks_per_second_per_core: f64,
    /// Peak resident set size of the measuring process (all repeats, binary included).
    pub peak_bytes: Option<u64>,
    pub peak_bytes_per_resident: Option<f64>,
    /// FNV-1a of the last tick's tallies: equal across thread counts if the run is
    /// deterministic.
    pub checksum: String,
    /// Tie ends per resident (strong and weak), and how many of them leave the grid.
    pub ties_per_resident: f64,
    pub weak_ties_per_resident: f64,
    /// Bytes the resident phase reads and writes per resident-tick: its own fields
    /// (streamed in order), its rows of the tie graph, and one 8-byte record a tie.
    pub bytes_per_resident_tick: f64,
    /// Tick time of every round (filled in by `bench`; the fastest is `tick_seconds`).
    #[serde(default)]
    pub tick_seconds_rounds: Vec<f64>,
}

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

#[derive(Clone, Debug, Serialize)]
pub struct Target {
    pub name: String,
    pub target: String,
    pub measured: String,
    pub pass: bool,
}

/// The record `--json` prints.
#[derive(Debug, Serialize)]
pub struct Record {
    pub linkage_version: &'static str,
    pub cores: usize,
    pub scenario: String,
    pub regime: String,
    pub ticks: u32,
    pub rounds: u32,
    pub measurements: Vec<Measurement>,
    /// Rate on the most threads over rate on 1 thread, per size.
    pub speedup: Vec<(u64, f64)>,
    /// Time per tick at the largest size over time per tick at the size ten times
    /// smaller (on the most threads), if both were measured.
    pub cost_ratio_10x: Option<f64>,
    pub full_city: Option<Measurement>,
    /// The machine's memory, and the hot loop against it (not with `--quick`).
    pub memory: Option<MemoryProbe>,
    pub roofline: Option<Roofline>,
    pub targets: Vec<Target>,
    pub seconds: f64,
}

impl Record {
    /// The largest thread count measured.
    fn most_threads(&self) -> usize {
        self.measurements
            .iter()
            .map(|m| m.threads)
            .max()
            .unwrap_or(1)
    }
}

/// The hidden `bench-one`: one measurement in this process.
#[derive(Args, Debug)]
pub struct BenchOneArgs {
    #[arg(long)]
    pub scenario: String,
    #[arg(long)]
    pub regime: String,
    #[arg(long, value_parser = super::parse_residents)]
    pub residents: Option<u64>,
    #[arg(long, value_parser = super::parse_ticks)]
    pub ticks: Option<u32>,
    #[arg(long, value_parser = super::parse_threads)]
    pub threads: usize,
    #[arg(long, default_value_t = 1)]
    pub repeats: u32,
}


/// Build and run one configuration `repeats` times; keep the fastest.
pub fn bench_one(a: &BenchOneArgs) -> Result<(), Failure> {
    let args = RunArgs {
        scenario: a.scenario.clone(),
        regimes: vec![a.regime.clone()],
        seed: None,
        ticks: a.ticks,
        residents: a.residents,
        threads: Some(a.threads),
        out: Some("unused".into()),
        quiet: true,
        report: super::ReportArgs::default(),
    };
    let plan = super::run::plan(&args)?;
    let pool = crate::base::pool::pool(Some(a.threads))?;
    let mech = plan.regimes[0].1;
    let sc = &plan.scenario;
    let ticks = sc.run.ticks;
    let (mut build, mut stepping) = (f64::INFINITY, f64::INFINITY);
    let mut checksum = String::new();
    let mut residents = 0;
    let (mut ties, mut weak) = (0.0, 0.0);
    for _ in 0..a.repeats.max(1) {
        pool.install(|| {
            let t0 = Instant::now();
            let mut world = World::new(sc, mech);
            let t1 = Instant::now();
            if ties == 0.0 {
                (ties, weak) = tie_counts(&world);
            }
            for _ in 0..ticks {
                world.step();
            }
            let t2 = Instant::now();
            build = build.min((t1 - t0).as_secs_f64());
            stepping = stepping.min((t2 - t1).as_secs_f64());
            residents = world.residents.len() as u64;
            checksum = format!("{:016x}", crate::base::hash::fnv1a(format!("{:?}", world.tallies()).as_bytes()));
        });
    }
    let rate = residents as f64 * ticks as f64 / stepping;
    let peak = crate::engine::memory::peak_bytes();
    let m = Measurement {
        scenario: sc.name.clone(),
        residents,
        threads: a.threads,
        ticks,
        repeats: a.repeats.max(1),
        build_seconds: build,
        tick_seconds: stepping,
        ms_per_tick: stepping * 1e3 / ticks as f64,
        resident_ticks_per_second: rate,
        resident_ticks_per_second_per_core: rate / a.threads as f64,
        peak_bytes: peak,
        peak_bytes_per_resident: peak.map(|p| p as f64 / residents as f64),
        checksum,
        ties_per_resident: ties,
        weak_ties_per_resident: weak,
        bytes_per_resident_tick: bytes_per_resident_tick(ties),
        tick_seconds_rounds: Vec::new(),
    };
    println!(
        "{}",
        serde_json::to_string(&m).expect("a measurement serialises")
    );
    Ok(())
}

/// Bytes the resident phase streams each tick for one resident with `ties` tie ends,
/// from the sizes of the fields it touches: read and written (hardship, trust,
/// exposure, points; cooldown; issue counts), read only (grid, link, digital, risk
/// aversion, hardship and trust baselines; age; its own visible record), written (its
/// next visible record), its row offset and strong-tie count, and per tie the target's
/// index and its visible record.
fn bytes_per_resident_tick(ties: f64) -> f64 {
    use crate::model::residents::{Outcomes, Visible};
    use std::mem::size_of;
    let (f, u8_, id) = (size_of::<f32>(), size_of::<u8>(), size_of::<u32>());
    let own_rw = 4 * f + u8_ + size_of::<Outcomes>();
    let own_read = id + 5 * f + u8_ + size_of::<Visible>();
    let own_write = size_of::<Visible>();
    let row = id + u8_;
    (2 * own_rw + own_read + own_write + row) as f64 + ties * (id + size_of::<Visible>()) as f64
}

/// Mean tie ends and weak tie ends per resident.
fn tie_counts(world: &World) -> (f64, f64) {
    let ties = &world.residents.ties;
    let n = world.residents.len().max(1) as f64;
    let all = ties.targets.len() as f64;
    let strong: f64 = ties.strong.iter().map(|&s| s as f64).sum();
    (all / n, (all - strong) / n)
}

/// Read bandwidth over 512 MB and random-load latency over 64 MB.
fn probe_memory() -> MemoryProbe {
    use rayon::prelude::*;
    const WORDS: usize = 64 << 20; // 512 MB of u64
    let data: Vec<u64> = (0..WORDS as u64).collect();
    let read = |threads: usize| {
        let pool = crate::base::pool::pool(Some(threads)).ok();
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let t = Instant::now();
            let sum: u64 = match &pool {
                Some(p) => p.install(|| {
                    data.par_chunks(WORDS / threads.max(1))
                        .map(|c| c.iter().fold(0u64, |a, &x| a.wrapping_add(x)))
                        .reduce(|| 0, u64::wrapping_add)
                }),
                None => data.iter().fold(0u64, |a, &x| a.wrapping_add(x)),
            };
            std::hint::black_box(sum);
            best = best.min(t.elapsed().as_secs_f64());
        }
        (WORDS * 8) as f64 / best / 1e9
    };
    let one = read(1);
    let cores = crate::base::pool::all_cores();
    let all = read(cores);
    drop(data);
    // One random cycle through 64 MB, twice the last-level cache (Sattolo's shuffle),
    // followed for 20M dependent steps.
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
    let random_load_ns = t.elapsed().as_secs_f64() * 1e9 / steps as f64;
    MemoryProbe {
        read_gb_s_1_thread: one,
        read_gb_s_all_cores: all,
        random_load_ns,
    }
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

/// Run `bench-one` in a child process.
fn measure(
    scenario: &str,
    regime: &str,
    residents: Option<u64>,
    ticks: Option<u32>,
    threads: usize,
    repeats: u32,
) -> Result<Measurement, Failure> {
    let exe = std::env::current_exe().map_err(|e| Failure {
        code: 1,
        message: format!("cannot find this program to measure with: {e}"),
    })?;
    let mut cmd = Command::new(exe);
    cmd.args(["bench-one", "--scenario", scenario, "--regime", regime])
        .args(["--threads", &threads.to_string()])
        .args(["--repeats", &repeats.to_string()]);
    if let Some(n) = residents {
        cmd.args(["--residents", &n.to_string()]);
    }
    if let Some(t) = ticks {
        cmd.args(["--ticks", &t.to_string()]);
    }
    let out = cmd.output().map_err(|e| Failure {
        code: 1,
        message: format!("cannot start a measurement: {e}"),
    })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let line = err
            .lines()
            .last()
            .unwrap_or("")
            .trim_start_matches("error: ");
        let code = if out.status.code() == Some(2) { 2 } else { 1 };
        return Err(Failure {
            code,
            message: if line.is_empty() {
                format!(
                    "the measurement of {} residents on {threads} threads ended with {}",
                    residents.map_or("the scenario's".into(), |n| n.to_string()),
                    out.status
                )
            } else {
                line.to_string()
            },
        });
    }
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).map_err(|e| Failure {
        code: 1,
        message: format!("a measurement printed something unreadable: {e}"),
    })
}

/// Keep the faster of two measurements of one configuration, the larger peak memory,
/// and every round's tick time.
fn fastest(old: Option<Measurement>, new: Measurement) -> Measurement {
    let Some(old) = old else {
        let mut m = new;
        m.tick_seconds_rounds = vec![m.tick_seconds];
        return m;
    };
    let mut rounds = old.tick_seconds_rounds.clone();
    rounds.push(new.tick_seconds);
    let peak = old.peak_bytes.max(new.peak_bytes);
    let mut m = if new.tick_seconds < old.tick_seconds {
        new
    } else {
        old
    };
    m.tick_seconds_rounds = rounds;
    m.peak_bytes = peak;
    m.peak_bytes_per_resident = peak.map(|p| p as f64 / m.residents as f64);
    m
}

/// Repeats that give a small size about as much work as 20M resident-ticks, so that
/// its fastest time is not noise; big sizes run once.
fn repeats_for(residents: u64, ticks: u32) -> u32 {
    let work = residents * ticks as u64;
    (20_000_000u64.div_ceil(work.max(1))).clamp(1, 20) as u32
}

fn mb(bytes: Option<u64>) -> String {
    bytes.map_or("n/a".into(), |b| format!("{:.0}", b as f64 / 1e6))
}

fn per_resident(m: &Measurement) -> String {
    m.peak_bytes_per_resident
        .map_or("n/a".into(), |b| format!("{b:.0}"))
}

fn thousands(n: u64) -> String {
    crate::output::table::thousands(n as f64)
}

/// The targets of issue 7 / docs/performance.md, for what was measured.
fn targets(rec: &Record) -> Vec<Target> {
    let mut t = Vec::new();
    let most = rec.most_threads();
    let at = |n: u64, k: usize| {
        rec.measurements
            .iter()
            .find(|m| m.residents == n && m.threads == k)
    };
    if let Some(m) = at(1_000_000, most) {
        let r = m.resident_ticks_per_second / 1e6;
        t.push(Target {
            name: format!("resident-ticks a second at 1M residents, {most} threads"),
            target: "≥ 10 M".into(),
            measured: format!("{r:.1} M"),
            pass: r >= 10.0,
        });
    }
    if let Some(f) = &rec.full_city {
        let total = f.build_seconds + f.tick_seconds;
        t.push(Target {
            name: format!(
                "{} ({} residents × {} days), build included",
                f.scenario,
                thousands(f.residents),
                f.ticks
            ),
            target: "< 300 s".into(),
            measured: format!("{total:.0} s"),
            pass: total < 300.0,
        });
        if let Some(p) = f.peak_bytes {
            t.push(Target {
                name: format!("{} peak memory", f.scenario),
                target: "< 4 GB".into(),
                measured: format!("{:.2} GB", p as f64 / 1e9),
                pass: p < 4_000_000_000,
            });
        }
    }
    // Memory per resident at the largest population measured, if it is large enough
    // (a million) for the fixed costs (program, fonts, thread stacks) to be amortised.
    let largest = rec
        .full_city
        .iter()
        .chain(&rec.measurements)
        .max_by_key(|m| m.residents)
        .filter(|m| m.residents >= 1_000_000);
    if let Some(b) = largest.and_then(|m| m.peak_bytes_per_resident.map(|b| (m, b))) {
        t.push(Target {
            name: format!(
                "peak memory a resident, ties included, at {} residents",
                thousands(b.0.residents)
            ),
            target: "≤ 200 B".into(),
            measured: format!("{:.0} B", b.1),
            pass: b.1 <= 200.0,
        });
    }
    if most >= 2 {
        let n = rec.speedup.iter().map(|s| s.0).max();
        if let Some((n, s)) = n.and_then(|n| rec.speedup.iter().find(|s| s.0 == n).copied()) {
            t.push(Target {
                name: format!("speed-up 1 → {most} threads at {} residents", thousands(n)),
                target: "≥ 1.7×".into(),
                measured: format!("{s:.2}×"),
                pass: s >= 1.7,
            });
        }
    }
    if let Some(r) = rec.cost_ratio_10x {
        t.push(Target {
            name: "cost linear in residents: time a tick, 10× the residents".into(),
            target: "≤ 12×".into(),
            measured: format!("{r:.1}×"),
            pass: r <= 12.0,
        });
    }
    // Determinism: the same size on different thread counts ends in the same state.
    let mut sizes: Vec<u64> = rec.measurements.iter().map(|m| m.residents).collect();
    sizes.dedup();
    let mismatched: Vec<u64> = sizes
        .iter()
        .copied()
        .filter(|&n| {
            let mut sums = rec
                .measurements
                .iter()
                .filter(|m| m.residents == n)
                .map(|m| &m.checksum);
            let first = sums.next();
            sums.any(|c| Some(c) != first)
        })
        .collect();
    if rec.measurements.iter().map(|m| m.threads).min() != Some(most) {
        t.push(Target {
            name: "same results whatever the thread count".into(),
            target: "identical".into(),
            measured: if mismatched.is_empty() {
                "identical".into()
            } else {
                format!("differ at {mismatched:?} residents")
            },
            pass: mismatched.is_empty(),
        });
    }
    t
}

fn table(rec: &Record) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "linkage bench: {} under {}, {} days a measurement from day 0, fastest of {} round{}, {} cores\n",
        rec.scenario,
        rec.regime,
        rec.ticks,
        rec.rounds,
        if rec.rounds == 1 { "" } else { "s" },
        rec.cores
    );
    let _ = writeln!(
        s,
        "{:>11} {:>7} {:>8} {:>9} {:>12} {:>9} {:>8} {:>10}",
        "residents",
        "threads",
        "build s",
        "ms/tick",
        "M res-tick/s",
        "per core",
        "peak MB",
        "B/resident"
    );
    for m in rec.measurements.iter().chain(&rec.full_city) {
        let _ = writeln!(
            s,
            "{:>11} {:>7} {:>8.2} {:>9.2} {:>12.2} {:>9.2} {:>8} {:>10}{}",
            thousands(m.residents),
            m.threads,
            m.build_seconds,
            m.ms_per_tick,
            m.resident_ticks_per_second / 1e6,
            m.resident_ticks_per_second_per_core / 1e6,
            mb(m.peak_bytes),
            per_resident(m),
            if rec.full_city.as_ref().is_some_and(|f| std::ptr::eq(f, m)) {
                format!("  {} × {} days", m.scenario, m.ticks)
            } else {
                String::new()
            }
        );
    }
    if !rec.speedup.is_empty() {
        let most = rec.most_threads();
        let parts: Vec<String> = rec
            .speedup
            .iter()
            .map(|(n, x)| format!("{} {x:.2}×", thousands(*n)))
            .collect();
        let _ = writeln!(s, "\nspeed-up 1 → {most} threads: {}", parts.join(", "));
    }
    if let Some(r) = rec.cost_ratio_10x {
        let _ = writeln!(s, "time a tick at 10× the residents: {r:.1}×");
    }
    if let (Some(p), Some(r)) = (&rec.memory, &rec.roofline) {
        let _ = writeln!(
            s,
            "\nmemory: reads {:.1} GB/s on 1 thread, {:.1} GB/s on {} cores; a random load takes {:.0} ns",
            p.read_gb_s_1_thread, p.read_gb_s_all_cores, rec.cores, p.random_load_ns
        );
        let _ = writeln!(
            s,
            "hot loop at {} residents: {:.0} bytes a resident-tick, {:.1} GB/s = {:.0}% of read bandwidth;",
            thousands(r.residents),
            r.bytes_per_resident_tick,
            r.gb_s,
            r.share_of_bandwidth * 100.0
        );
        let _ = writeln!(
            s,
            "  a resident-tick takes {:.0} ns a thread; its {:.1} weak-tie loads would take {:.0} ns if each went to memory in turn",
            r.ns_per_resident_tick,
            r.ns_if_weak_loads_missed / rec.memory.as_ref().map_or(1.0, |p| p.random_load_ns),
            r.ns_if_weak_loads_missed
        );
    }
    if !rec.targets.is_empty() {
        let w = rec
            .targets
            .iter()
            .map(|t| t.name.chars().count())
            .max()
            .unwrap_or(0);
        let _ = writeln!(
            s,
            "\n{:<w$}  {:>8}  {:>10}  ",
            "target", "wanted", "measured"
        );
        for t in &rec.targets {
            let _ = writeln!(
                s,
                "{:<w$}  {:>8}  {:>10}  {}",
                t.name,
                t.target,
                t.measured,
                if t.pass { "PASS" } else { "FAIL" }
            );
        }
    }
    let _ = writeln!(s, "\n{:.0} s in all", rec.seconds);
    s
}

pub fn bench(a: &BenchArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let mut sizes = if !a.sizes.is_empty() {
        a.sizes.clone()
    } else if a.quick {
        vec![10_000, 100_000]
    } else {
        vec![10_000, 100_000, 1_000_000]
    };
    sizes.sort_unstable();
    sizes.dedup();
    let mut threads = if a.threads.is_empty() {
        vec![1, 2]
    } else {
        a.threads.clone()
    };
    threads.sort_unstable();
    threads.dedup();
    let ticks = a.ticks.unwrap_or(if a.quick { 10 } else { 30 });
    let full_city = !a.quick && !a.no_full_city;
    // Check the scenario and regime once, here, with the ordinary errors.
    let probe = RunArgs {
        scenario: a.scenario.clone(),
        regimes: vec![a.regime.clone()],
        seed: None,
        ticks: Some(ticks),
        residents: Some(sizes[0]),
        threads: Some(1),
        out: Some("unused".into()),
        quiet: true,
        report: super::ReportArgs::default(),
    };
    let scenario_name = super::run::plan(&probe)?.scenario.name;

    let rounds = a.rounds.unwrap_or(if a.quick { 1 } else { 5 });
    let steps = rounds as usize * sizes.len() * threads.len() + full_city as usize;
    let bar = if a.quiet {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::with_draw_target(Some(steps as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("[{bar:20}] {pos}/{len} {elapsed_precise}  {msg}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar
    };
    let configs: Vec<(u64, usize)> = sizes
        .iter()
        .flat_map(|&n| threads.iter().map(move |&k| (n, k)))
        .collect();
    let mut measurements: Vec<Option<Measurement>> = vec![None; configs.len()];
    for round in 1..=rounds {
        for (slot, &(n, k)) in measurements.iter_mut().zip(&configs) {
            bar.set_message(format!(
                "round {round}/{rounds}: {} residents × {ticks} days on {k} thread{}",
                thousands(n),
                if k == 1 { "" } else { "s" }
            ));
            let m = measure(
                &a.scenario,
                &a.regime,
                Some(n),
                Some(ticks),
                k,
                repeats_for(n, ticks),
            )?;
            *slot = Some(fastest(slot.take(), m));
            bar.inc(1);
        }
    }
    let measurements: Vec<Measurement> = measurements.into_iter().flatten().collect();
    let most = *threads.last().expect("at least one thread count");
    let full = if full_city {
        bar.set_message(format!("full-city × 365 days on {most} threads"));
        let m = measure("full-city", &a.regime, None, None, most, 1)?;
        bar.inc(1);
        Some(fastest(None, m))
    } else {
        None
    };

    let rate = |n: u64, k: usize| {
        measurements
            .iter()
            .find(|m| m.residents == n && m.threads == k)
            .map(|m| m.resident_ticks_per_second)
    };
    let speedup = if most > threads[0] {
        sizes
            .iter()
            .filter_map(|&n| Some((n, rate(n, most)? / rate(n, threads[0])?)))
            .collect()
    } else {
        Vec::new()
    };
    let largest = *sizes.last().expect("at least one size");
    let cost_ratio_10x = (largest % 10 == 0 && sizes.contains(&(largest / 10))).then(|| {
        let per_tick = |n: u64| {
            measurements
                .iter()
                .find(|m| m.residents == n && m.threads == most)
                .map_or(f64::NAN, |m| m.ms_per_tick)
        };
        per_tick(largest) / per_tick(largest / 10)
    });
    let mut rec = Record {
        linkage_version: env!("CARGO_PKG_VERSION"),
        cores: crate::base::pool::all_cores(),
        scenario: scenario_name,
        regime: a.regime.clone(),
        ticks,
        rounds,
        measurements,
        speedup,
        cost_ratio_10x,
        full_city: full,
        memory: None,
        roofline: None,
        targets: Vec::new(),
        seconds: 0.0,
    };
    if !a.quick {
        bar.set_message("memory bandwidth and latency");
        let probe = probe_memory();
        rec.roofline = rec
            .measurements
            .iter()
            .filter(|m| m.threads == most)
            .max_by_key(|m| m.residents)
            .map(|m| roofline(m, &probe));
        rec.memory = Some(probe);
    }
    bar.finish_and_clear();
    rec.targets = targets(&rec);
    rec.seconds = started.elapsed().as_secs_f64();
    if a.json {
        eprint!("{}", table(&rec));
        println!(
            "{}",
            serde_json::to_string(&rec).expect("the record serialises")
        );
    } else {
        print!("{}", table(&rec));
    }
    let missed: Vec<&str> = rec
        .targets
        .iter()
        .filter(|t| !t.pass)
        .map(|t| t.name.as_str())
        .collect();
    if a.check && !missed.is_empty() {
        return Err(Failure {
            code: 1,
            message: format!("targets missed: {}", missed.join("; ")),
        });
    }
    Ok(())
}
