//! `linkage bench`: what a tick costs against size and threads, and the performance
//! targets of docs/performance.md checked against the figures.
//!
//! Each measurement runs in a child process (`linkage bench-one`, hidden), so that its
//! peak memory is its own and one measurement's caches and heap do not flatter the next.
//! The child builds the world (timed apart), runs the ticks, and prints one JSON line.
//!
//! The jobs, one file each: [`measure`] (one measurement, in this process or a child),
//! [`probe`] (the machine's memory, and the hot loop set against it), [`scaling`] (whole
//! runs and sweeps on 1 and 2 threads), [`targets`] (the performance targets) and
//! [`table`] (the printed table). This file holds the options and the order of the
//! work: every configuration once a round, then the full city, then whole runs and
//! sweeps, then the memory probe.

mod measure;
mod mesa;
mod probe;
mod scaling;
mod table;
mod targets;

pub use measure::{Measurement, bench_one};
pub use mesa::{EpsteinSpeed, MesaComparison};
pub use probe::{ClockProbe, MemoryProbe, Roofline};
pub use scaling::{BenchSweepArgs, bench_sweep};
pub use targets::Target;

use super::{Failure, RunArgs};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
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
    /// Skip the full-city run (10M residents × 365 days; about 3 minutes on 2 cores).
    #[arg(long)]
    pub no_full_city: bool,
    /// Residents of the full-city run (the scenario's own 3.2M was the earlier target's).
    #[arg(long, default_value_t = 10_000_000, value_parser = super::parse_residents)]
    pub full_city_residents: u64,
    /// Skip the whole runs and sweeps on 1 and 2 threads (a whole run of 1M residents ×
    /// 100 days, and sweeps of 20 to 1,000 runs; about 40 s a round, at most 3 rounds).
    #[arg(long)]
    pub no_scaling: bool,
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
    /// Also run Epstein's model side by side with Mesa's own example (benches/mesa/:
    /// installs Mesa 3.3 in a venv under target/ the first time; about a minute a run).
    #[arg(long)]
    pub mesa: bool,
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
    /// The core's clock at the bench's start and end.
    pub clock: ClockProbe,
    /// The machine's memory, and the hot loop against it (not with `--quick`).
    pub memory: Option<MemoryProbe>,
    pub roofline: Option<Roofline>,
    /// Epstein's model, Run 2 × 1,000 ticks, in this process.
    pub epstein: Option<EpsteinSpeed>,
    /// The side-by-side run against Mesa (with `--mesa`).
    pub mesa: Option<MesaComparison>,
    /// Whole runs and sweeps against threads (not with `--no-scaling`).
    pub scaling: Option<scaling::Scaling>,
    pub targets: Vec<Target>,
    pub seconds: f64,
}

impl Record {
    /// The smallest thread count measured.
    pub(super) fn fewest_threads(&self) -> usize {
        self.measurements
            .iter()
            .map(|m| m.threads)
            .min()
            .unwrap_or(1)
    }

    /// The largest thread count measured.
    pub(super) fn most_threads(&self) -> usize {
        self.measurements
            .iter()
            .map(|m| m.threads)
            .max()
            .unwrap_or(1)
    }
}

/// The options of a run that bench and bench-one check and build through `run`'s plan,
/// so that their scenario and regime errors are the ordinary ones.
fn run_args(
    scenario: &str,
    regime: &str,
    residents: Option<u64>,
    ticks: Option<u32>,
    threads: usize,
) -> RunArgs {
    RunArgs {
        scenario: scenario.to_string(),
        regimes: vec![regime.to_string()],
        seed: None,
        ticks,
        residents,
        // Bench times the stepping of one world (`World::new`, then ticks), not a run's
        // warm-up: the scenario's value is kept and unused.
        warmup: None,
        settings: Vec::new(),
        threads: Some(threads),
        out: Some("unused".into()),
        replicates: 1,
        quiet: true,
        // Bench times one world; the twin is a second run, not a cost of a tick.
        no_twin: true,
        format: super::FormatArg::Csv,
        report: super::ReportArgs::default(),
    }
}

/// What `bench` measures, its options' defaults applied; sizes and thread counts are
/// sorted and distinct, and neither is empty.
struct Settings {
    sizes: Vec<u64>,
    threads: Vec<usize>,
    ticks: u32,
    rounds: u32,
    full_city: bool,
}

impl Settings {
    fn of(a: &BenchArgs) -> Settings {
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
        Settings {
            sizes,
            threads,
            ticks: a.ticks.unwrap_or(if a.quick { 10 } else { 30 }),
            rounds: a.rounds.unwrap_or(if a.quick { 1 } else { 5 }),
            full_city: !a.quick && !a.no_full_city,
        }
    }

    fn most_threads(&self) -> usize {
        *self.threads.last().expect("at least one thread count")
    }

    /// Every (size, threads) pair, sizes outer.
    fn configs(&self) -> Vec<(u64, usize)> {
        self.sizes
            .iter()
            .flat_map(|&n| self.threads.iter().map(move |&k| (n, k)))
            .collect()
    }

    /// Child processes in all, for the progress bar.
    fn steps(&self) -> u64 {
        (self.rounds as usize * self.sizes.len() * self.threads.len() + self.full_city as usize)
            as u64
    }
}

fn progress_bar(quiet: bool, steps: u64) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("[{bar:20}] {pos}/{len} {elapsed_precise}  {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}

/// Every configuration once a round, in turn; the fastest round of each is kept.
fn measure_rounds(
    a: &BenchArgs,
    s: &Settings,
    bar: &ProgressBar,
) -> Result<Vec<Measurement>, Failure> {
    let configs = s.configs();
    let mut measurements: Vec<Option<Measurement>> = vec![None; configs.len()];
    for round in 1..=s.rounds {
        for (slot, &(n, k)) in measurements.iter_mut().zip(&configs) {
            bar.set_message(format!(
                "round {round}/{}: {} residents × {} days on {k} thread{}",
                s.rounds,
                table::thousands(n),
                s.ticks,
                if k == 1 { "" } else { "s" }
            ));
            let m = measure::measure(
                &a.scenario,
                &a.regime,
                Some(n),
                Some(s.ticks),
                k,
                measure::repeats_for(n, s.ticks),
            )?;
            *slot = Some(measure::fastest(slot.take(), m));
            bar.inc(1);
        }
    }
    Ok(measurements.into_iter().flatten().collect())
}

/// Rate on the most threads over rate on the fewest, per size (none with one thread count).
fn speedup(measurements: &[Measurement], s: &Settings) -> Vec<(u64, f64)> {
    let rate = |n: u64, k: usize| {
        measurements
            .iter()
            .find(|m| m.residents == n && m.threads == k)
            .map(|m| m.resident_ticks_per_second)
    };
    let (fewest, most) = (s.threads[0], s.most_threads());
    if most > fewest {
        s.sizes
            .iter()
            .filter_map(|&n| Some((n, rate(n, most)? / rate(n, fewest)?)))
            .collect()
    } else {
        Vec::new()
    }
}

/// Time a tick at the largest size over the size ten times smaller, on the most threads.
fn cost_ratio_10x(measurements: &[Measurement], s: &Settings) -> Option<f64> {
    let largest = *s.sizes.last().expect("at least one size");
    let most = s.most_threads();
    (largest.is_multiple_of(10) && s.sizes.contains(&(largest / 10))).then(|| {
        let per_tick = |n: u64| {
            measurements
                .iter()
                .find(|m| m.residents == n && m.threads == most)
                .map_or(f64::NAN, |m| m.ms_per_tick)
        };
        per_tick(largest) / per_tick(largest / 10)
    })
}

pub fn bench(a: &BenchArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let clock_at_start = probe::core_clock_ghz();
    let s = Settings::of(a);
    // Check the scenario and regime once, here, with the ordinary errors.
    let probe = run_args(&a.scenario, &a.regime, Some(s.sizes[0]), Some(s.ticks), 1);
    let scenario_name = super::run::plan(&probe)?.run.scenario.name;

    let bar = progress_bar(a.quiet, s.steps());
    let measurements = measure_rounds(a, &s, &bar)?;
    let most = s.most_threads();
    let full_city = if s.full_city {
        bar.set_message(format!(
            "full-city, {} residents × 365 days on {most} threads",
            table::thousands(a.full_city_residents)
        ));
        let m = measure::measure(
            "full-city",
            &a.regime,
            Some(a.full_city_residents),
            None,
            most,
            1,
        )?;
        bar.inc(1);
        Some(measure::fastest(None, m))
    } else {
        None
    };
    let scaling = if a.no_scaling {
        None
    } else {
        Some(scaling::measure(a, &s.threads, s.rounds, &bar)?)
    };
    let mut rec = Record {
        linkage_version: env!("CARGO_PKG_VERSION"),
        cores: crate::base::pool::all_cores(),
        scenario: scenario_name,
        regime: a.regime.clone(),
        ticks: s.ticks,
        rounds: s.rounds,
        speedup: speedup(&measurements, &s),
        cost_ratio_10x: cost_ratio_10x(&measurements, &s),
        measurements,
        full_city,
        clock: ClockProbe {
            start_ghz: clock_at_start,
            end_ghz: None,
        },
        memory: None,
        roofline: None,
        epstein: None,
        mesa: None,
        scaling,
        targets: Vec::new(),
        seconds: 0.0,
    };
    if !a.quick {
        bar.set_message("memory bandwidth and latency");
        probe::probe_into(&mut rec, most);
    }
    bar.set_message("Epstein's model");
    rec.epstein = Some(mesa::epstein_speed(if a.quick { 1 } else { 5 }));
    if a.mesa {
        bar.set_message("Epstein's model side by side with Mesa's (a minute or two)");
        rec.mesa = Some(mesa::compare(&mesa::script_dir())?);
    }
    rec.clock.end_ghz = probe::core_clock_ghz();
    bar.finish_and_clear();
    rec.targets = targets::targets(&rec);
    rec.seconds = started.elapsed().as_secs_f64();
    if a.json {
        eprint!("{}", table::table(&rec));
        println!(
            "{}",
            serde_json::to_string(&rec).expect("the record serialises")
        );
    } else {
        print!("{}", table::table(&rec));
    }
    targets::missed(&rec, a.check)
}

/// A failed child's last error line (exit code 2 stays 2: bad input).
pub(super) fn child_failure(out: &std::process::Output, what: &str) -> Failure {
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .last()
        .unwrap_or("")
        .trim_start_matches("error: ");
    Failure {
        code: if out.status.code() == Some(2) { 2 } else { 1 },
        message: if line.is_empty() {
            format!("{what} ended with {}", out.status)
        } else {
            line.to_string()
        },
    }
}
