//! Whole runs and sweeps against threads (issue 15): what a user waits for, not only a
//! tick.
//!
//! - **Whole run**: `linkage run` in a child process at one size (1,000,000 residents ×
//!   100 days; warm-up 0, no twin, so that building the world weighs most), timed from
//!   start to exit: the build, the ticks and the files. Its files are hashed, so the
//!   same run on 1 and on 2 threads must write the same bytes.
//! - **Sweeps**: the hidden `bench-sweep` runs a sweep of `runs` runs of one size in a
//!   child process (its own peak memory) and prints one JSON line: runs a second at
//!   each size on 1 and on 2 threads, and the peak memory of a short and a ten times
//!   longer sweep of small runs, which must be flat.
//!
//! Every configuration is measured once a round, in turn, and keeps its fastest round
//! (and its largest peak memory), as the tick measurements do.

use super::table::thousands;
use super::{BenchArgs, Record, Target};
use crate::cli::Failure;
use crate::experiment::{plan, sweep};
use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The hidden `bench-sweep`: one sweep in this process, printed as a JSON line.
#[derive(clap::Args, Debug)]
pub struct BenchSweepArgs {
    #[arg(long)]
    pub scenario: String,
    #[arg(long)]
    pub regime: String,
    #[arg(long, value_parser = crate::cli::parse_residents)]
    pub residents: u64,
    #[arg(long, value_parser = crate::cli::parse_ticks)]
    pub ticks: u32,
    /// Runs in the sweep (replicates of one cell).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub runs: u32,
    #[arg(long, value_parser = crate::cli::parse_threads)]
    pub threads: usize,
    /// Sweep folder (emptied first).
    #[arg(long)]
    pub out: PathBuf,
}

/// One whole `linkage run`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WholeRun {
    pub residents: u64,
    pub ticks: u32,
    pub threads: usize,
    /// Wall time of the process, fastest round: build, ticks, files.
    pub seconds: f64,
    pub seconds_rounds: Vec<f64>,
    /// FNV-1a of the files the run wrote (equal on any thread count).
    pub checksum: String,
}

/// One sweep.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SweepRun {
    pub residents: u64,
    pub ticks: u32,
    pub runs: u32,
    pub threads: usize,
    /// Time of the sweep (runs, then sorting and summarising its files), fastest round.
    pub seconds: f64,
    pub runs_per_second: f64,
    pub resident_ticks_per_second: f64,
    /// Peak resident set size of the sweeping process; the largest of the rounds.
    pub peak_bytes: Option<u64>,
    /// FNV-1a of the sweep's files (equal on any thread count).
    pub checksum: String,
    #[serde(default)]
    pub seconds_rounds: Vec<f64>,
}

/// What this module adds to the record.
#[derive(Clone, Debug, Serialize)]
pub struct Scaling {
    pub whole_runs: Vec<WholeRun>,
    /// Whole-run time on 1 thread over time on the most threads.
    pub whole_run_speedup: Option<f64>,
    pub sweeps: Vec<SweepRun>,
    /// Runs a second on the most threads over 1 thread, the long sweep of small runs.
    pub sweep_speedup: Option<f64>,
    /// Peak memory of the long sweep of small runs over the short one (most threads).
    pub sweep_memory_growth: Option<f64>,
}

/// What to measure: full, or `--quick` (seconds).
struct Sizes {
    whole: (u64, u32),
    sweep_ticks: u32,
    /// Small runs: their size, and the short and long sweep's run counts.
    small: (u64, u32, u32),
    /// Other sizes (residents, runs) for runs a second.
    others: Vec<(u64, u32)>,
    rounds: u32,
}

impl Sizes {
    fn of(a: &BenchArgs, rounds: u32) -> Sizes {
        if a.quick {
            Sizes {
                whole: (20_000, 10),
                sweep_ticks: 10,
                small: (2_000, 20, 200),
                others: Vec::new(),
                rounds: 1,
            }
        } else {
            Sizes {
                whole: (1_000_000, 100),
                sweep_ticks: 50,
                small: (2_000, 100, 1_000),
                others: vec![(10_000, 100), (50_000, 20)],
                rounds: rounds.min(3),
            }
        }
    }

    /// Child processes a round, with `two` thread counts or one.
    fn steps(&self, two: bool) -> u64 {
        let k = if two { 2 } else { 1 };
        // whole run and the long small sweep on each, the short sweep on the most, others
        (k + k + 1 + k * self.others.len()) as u64
    }
}

/// A folder removed when dropped: where the children write.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Measure whole runs and sweeps on the fewest and the most of `threads`.
pub(super) fn measure(
    a: &BenchArgs,
    threads: &[usize],
    rounds: u32,
    bar: &ProgressBar,
) -> Result<Scaling, Failure> {
    let s = Sizes::of(a, rounds);
    let (fewest, most) = (threads[0], *threads.last().expect("a thread count"));
    let ks: Vec<usize> = if most > fewest {
        vec![fewest, most]
    } else {
        vec![most]
    };
    bar.inc_length(s.rounds as u64 * s.steps(ks.len() == 2));
    let scratch =
        Scratch(std::env::temp_dir().join(format!("linkage-bench-{}", std::process::id())));
    let io = |e: std::io::Error| Failure {
        code: 1,
        message: format!("cannot use {}: {e}", scratch.0.display()),
    };
    std::fs::create_dir_all(&scratch.0).map_err(io)?;
    let mut whole: Vec<Option<WholeRun>> = vec![None; ks.len()];
    // Sweeps: the long sweep of small runs on each thread count, the short one on the
    // most, then each other size on each.
    let (small, short, long) = s.small;
    let mut configs: Vec<(u64, u32, usize)> = ks.iter().map(|&k| (small, long, k)).collect();
    configs.push((small, short, most));
    for &(n, runs) in &s.others {
        configs.extend(ks.iter().map(|&k| (n, runs, k)));
    }
    let mut sweeps: Vec<Option<SweepRun>> = vec![None; configs.len()];
    let mut folder = 0;
    let mut next_folder = || {
        folder += 1;
        scratch.0.join(format!("m{folder}"))
    };
    for round in 1..=s.rounds {
        for (slot, &k) in whole.iter_mut().zip(&ks) {
            bar.set_message(format!(
                "round {round}/{}: a whole run, {} residents × {} days on {k} thread{}",
                s.rounds,
                thousands(s.whole.0),
                s.whole.1,
                plural(k)
            ));
            let w = whole_run(a, s.whole, k, &next_folder())?;
            *slot = Some(match slot.take() {
                None => w,
                Some(old) => faster_run(old, w),
            });
            bar.inc(1);
        }
        for (slot, &(n, runs, k)) in sweeps.iter_mut().zip(&configs) {
            bar.set_message(format!(
                "round {round}/{}: a sweep of {runs} runs of {} residents × {} days on {k} thread{}",
                s.rounds,
                thousands(n),
                s.sweep_ticks,
                plural(k)
            ));
            let m = sweep_child(a, n, s.sweep_ticks, runs, k, &next_folder())?;
            *slot = Some(match slot.take() {
                None => SweepRun {
                    seconds_rounds: vec![m.seconds],
                    ..m
                },
                Some(old) => faster_sweep(old, m),
            });
            bar.inc(1);
        }
    }
    let whole: Vec<WholeRun> = whole.into_iter().flatten().collect();
    let sweeps: Vec<SweepRun> = sweeps.into_iter().flatten().collect();
    let find = |runs: u32, k: usize| {
        sweeps
            .iter()
            .find(|m| m.residents == small && m.runs == runs && m.threads == k)
    };
    let whole_run_speedup = (whole.len() == 2).then(|| whole[0].seconds / whole[1].seconds);
    let sweep_speedup = (ks.len() == 2)
        .then(|| Some(find(long, most)?.runs_per_second / find(long, fewest)?.runs_per_second))
        .flatten();
    let sweep_memory_growth = find(long, most)
        .and_then(|l| l.peak_bytes)
        .zip(find(short, most).and_then(|s| s.peak_bytes))
        .map(|(l, s)| l as f64 / s as f64);
    Ok(Scaling {
        whole_runs: whole,
        whole_run_speedup,
        sweeps,
        sweep_speedup,
        sweep_memory_growth,
    })
}

fn plural(k: usize) -> &'static str {
    if k == 1 { "" } else { "s" }
}

/// The faster of two rounds of a whole run, with every round's time.
fn faster_run(old: WholeRun, new: WholeRun) -> WholeRun {
    let mut rounds = old.seconds_rounds.clone();
    rounds.extend(&new.seconds_rounds);
    let checksum = if old.checksum == new.checksum {
        old.checksum.clone()
    } else {
        format!("{} / {}", old.checksum, new.checksum)
    };
    let mut w = if new.seconds < old.seconds { new } else { old };
    w.seconds_rounds = rounds;
    w.checksum = checksum;
    w
}

/// The faster of two rounds of a sweep, the larger peak memory, every round's time.
fn faster_sweep(old: SweepRun, new: SweepRun) -> SweepRun {
    let mut rounds = old.seconds_rounds.clone();
    rounds.push(new.seconds);
    let peak = old.peak_bytes.max(new.peak_bytes);
    let checksum = if old.checksum == new.checksum {
        old.checksum.clone()
    } else {
        format!("{} / {}", old.checksum, new.checksum)
    };
    let mut m = if new.seconds < old.seconds { new } else { old };
    m.seconds_rounds = rounds;
    m.peak_bytes = peak;
    m.checksum = checksum;
    m
}

fn this_program() -> Result<PathBuf, Failure> {
    std::env::current_exe().map_err(|e| Failure {
        code: 1,
        message: format!("cannot find this program to measure with: {e}"),
    })
}

/// One whole `linkage run` into `dir`, timed from start to exit; its files hashed.
fn whole_run(
    a: &BenchArgs,
    (residents, ticks): (u64, u32),
    threads: usize,
    dir: &Path,
) -> Result<WholeRun, Failure> {
    let mut cmd = Command::new(this_program()?);
    cmd.args(["run", "--scenario", &a.scenario, "--regime", &a.regime])
        .args(["--residents", &residents.to_string()])
        .args(["--ticks", &ticks.to_string()])
        .args(["--warmup", "0", "--no-twin", "--quiet"])
        .args(["--threads", &threads.to_string()])
        .arg("--out")
        .arg(dir);
    let started = Instant::now();
    let out = cmd.output().map_err(|e| Failure {
        code: 1,
        message: format!("cannot start a whole run: {e}"),
    })?;
    let seconds = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(super::child_failure(&out, "a whole run"));
    }
    let checksum = folder_digest(dir)?;
    let _ = std::fs::remove_dir_all(dir);
    Ok(WholeRun {
        residents,
        ticks,
        threads,
        seconds,
        seconds_rounds: vec![seconds],
        checksum,
    })
}

/// FNV-1a of the files of `dir` (names and bytes, in name order), as hex.
fn folder_digest(dir: &Path) -> Result<String, Failure> {
    let io = |e: std::io::Error| Failure {
        code: 1,
        message: format!("cannot read {}: {e}", dir.display()),
    };
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    names.retain(|p| p.is_file());
    names.sort();
    let mut all = Vec::new();
    for p in &names {
        all.extend(p.file_name().map_or(&[][..], |n| n.as_encoded_bytes()));
        all.extend(std::fs::read(p).map_err(io)?);
    }
    Ok(format!("{:016x}", crate::base::hash::fnv1a(&all)))
}

/// One `bench-sweep` in a child process.
fn sweep_child(
    a: &BenchArgs,
    residents: u64,
    ticks: u32,
    runs: u32,
    threads: usize,
    dir: &Path,
) -> Result<SweepRun, Failure> {
    let mut cmd = Command::new(this_program()?);
    cmd.args([
        "bench-sweep",
        "--scenario",
        &a.scenario,
        "--regime",
        &a.regime,
    ])
    .args(["--residents", &residents.to_string()])
    .args(["--ticks", &ticks.to_string()])
    .args(["--runs", &runs.to_string()])
    .args(["--threads", &threads.to_string()])
    .arg("--out")
    .arg(dir);
    let out = cmd.output().map_err(|e| Failure {
        code: 1,
        message: format!("cannot start a sweep: {e}"),
    })?;
    if !out.status.success() {
        return Err(super::child_failure(&out, "a sweep"));
    }
    let _ = std::fs::remove_dir_all(dir);
    serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).map_err(|e| Failure {
        code: 1,
        message: format!("a sweep measurement printed something unreadable: {e}"),
    })
}

/// The experiment `bench-sweep` runs: `runs` replicates of one scenario, regime and
/// size, warm-up 0, no twin.
fn experiment(a: &BenchSweepArgs) -> String {
    let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
    format!(
        "name = \"bench-sweep\"\nseed = 1\nscenarios = [{}]\nregimes = [{}]\nreplicates = {}\n\
         ticks = {}\nresidents = {}\ntwin = false\n\n[design]\nkind = \"grid\"\n\n\
         [[factors]]\npath = \"run.warmup\"\nvalues = [0]\n",
        quoted(&a.scenario),
        quoted(&a.regime),
        a.runs,
        a.ticks,
        a.residents
    )
}

/// `bench-sweep`: run the sweep in this process and print it as a JSON line.
pub fn bench_sweep(a: &BenchSweepArgs) -> Result<(), Failure> {
    let text = experiment(a);
    let e: crate::experiment::spec::Experiment =
        toml::from_str(&text).map_err(|e| Failure::input(e.message().to_string()))?;
    let plan = plan::plan(
        e,
        Path::new("."),
        plan::Overrides::default(),
        "linkage bench",
    )
    .map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        Failure::input(lines.join("\n"))
    })?;
    let pool = crate::base::pool::pool(Some(a.threads))?;
    let options = sweep::Options {
        shard: None,
        restart: true,
        format: sweep::Format::Csv,
        on_run: Box::new(|| {}),
        on_start: Box::new(|_| {}),
        stop: None,
    };
    let started = Instant::now();
    pool.install(|| sweep::run(&plan, &a.out, &options))
        .map_err(|e| Failure {
            code: if e.is_input() { 2 } else { 1 },
            message: e.to_string(),
        })?;
    let seconds = started.elapsed().as_secs_f64();
    // The sweep's peak, before its files are read back to be hashed.
    let peak_bytes = crate::engine::memory::peak_bytes();
    let mut files = Vec::new();
    for f in [
        sweep::RUNS,
        sweep::SERIES,
        sweep::SUMMARY,
        sweep::SERIES_SUMMARY,
    ] {
        let p = a.out.join(f);
        files.extend(std::fs::read(&p).map_err(|e| Failure {
            code: 1,
            message: format!("cannot read {}: {e}", p.display()),
        })?);
    }
    let m = SweepRun {
        residents: a.residents,
        ticks: a.ticks,
        runs: a.runs,
        threads: a.threads,
        seconds,
        runs_per_second: a.runs as f64 / seconds,
        resident_ticks_per_second: (a.runs as u64 * a.residents * a.ticks as u64) as f64 / seconds,
        peak_bytes,
        checksum: format!("{:016x}", crate::base::hash::fnv1a(&files)),
        seconds_rounds: Vec::new(),
    };
    println!("{}", serde_json::to_string(&m).expect("a sweep serialises"));
    Ok(())
}

/// The section of the table.
pub(super) fn table(s: &mut String, rec: &Record) {
    let Some(sc) = &rec.scaling else {
        return;
    };
    if let Some(w) = sc.whole_runs.first() {
        let parts: Vec<String> = sc
            .whole_runs
            .iter()
            .map(|w| {
                format!(
                    "{:.2} s on {} thread{}",
                    w.seconds,
                    w.threads,
                    plural(w.threads)
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "\nwhole run (linkage run, {} residents × {} days, warm-up 0, no twin; build and files included): {}{}",
            thousands(w.residents),
            w.ticks,
            parts.join(", "),
            sc.whole_run_speedup
                .map_or(String::new(), |x| format!(": {x:.2}×"))
        );
    }
    if sc.sweeps.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\nsweeps (warm-up 0, no twin, {} days a run):\n{:>11} {:>6} {:>7} {:>9} {:>9} {:>12} {:>8}",
        sc.sweeps[0].ticks,
        "residents",
        "runs",
        "threads",
        "seconds",
        "runs/s",
        "M res-tick/s",
        "peak MB"
    );
    for m in &sc.sweeps {
        let _ = writeln!(
            s,
            "{:>11} {:>6} {:>7} {:>9.2} {:>9.1} {:>12.2} {:>8}",
            thousands(m.residents),
            m.runs,
            m.threads,
            m.seconds,
            m.runs_per_second,
            m.resident_ticks_per_second / 1e6,
            m.peak_bytes
                .map_or("n/a".into(), |b| format!("{:.1}", b as f64 / 1e6))
        );
    }
    if let Some(x) = sc.sweep_speedup {
        let _ = writeln!(
            s,
            "sweep speed-up, the longest sweep of small runs: {x:.2}×"
        );
    }
    if let Some(g) = sc.sweep_memory_growth {
        let _ = writeln!(
            s,
            "peak memory, the longest sweep over the shortest: {g:.3}×"
        );
    }
}

/// The targets of whole runs and sweeps, for what was measured.
pub(super) fn targets(rec: &Record) -> Vec<Target> {
    let Some(sc) = &rec.scaling else {
        return Vec::new();
    };
    let mut t = Vec::new();
    if let (Some(x), Some(w)) = (sc.whole_run_speedup, sc.whole_runs.last())
        && w.residents >= 1_000_000
        && w.ticks >= 100
    {
        t.push(Target::new(
            format!(
                "whole run {} → {} threads, {} residents × {} days, build included",
                sc.whole_runs[0].threads,
                w.threads,
                thousands(w.residents),
                w.ticks
            ),
            "≥ 1.8×",
            format!("{x:.2}×"),
            x >= 1.8,
        ));
    }
    if sc.whole_runs.len() == 2 {
        let same = sc.whole_runs[0].checksum == sc.whole_runs[1].checksum
            && !sc.whole_runs[0].checksum.contains('/');
        t.push(Target::new(
            "a whole run's files, whatever the thread count",
            "identical",
            if same { "identical" } else { "differ" }.into(),
            same,
        ));
    }
    let long = sc
        .sweeps
        .iter()
        .filter(|m| m.residents == sc.sweeps[0].residents)
        .max_by_key(|m| m.runs);
    if let (Some(x), Some(l)) = (sc.sweep_speedup, long)
        && l.runs >= 1_000
    {
        t.push(Target::new(
            format!(
                "sweep of {} runs ({} residents × {} days), {} → {} threads",
                thousands(l.runs as u64),
                thousands(l.residents),
                l.ticks,
                sc.sweeps
                    .iter()
                    .map(|m| m.threads)
                    .min()
                    .unwrap_or(l.threads),
                l.threads
            ),
            "≥ 1.8×",
            format!("{x:.2}×"),
            x >= 1.8,
        ));
    }
    if let (Some(g), Some(l)) = (sc.sweep_memory_growth, long) {
        let short = sc
            .sweeps
            .iter()
            .filter(|m| m.residents == l.residents)
            .map(|m| m.runs)
            .min()
            .unwrap_or(l.runs);
        t.push(Target::new(
            format!(
                "sweep peak memory flat: {} runs over {short}",
                thousands(l.runs as u64)
            ),
            "≤ 1.10×",
            format!("{g:.3}×"),
            g <= 1.10,
        ));
    }
    let differ = sc.sweeps.iter().any(|m| {
        m.checksum.contains('/')
            || sc
                .sweeps
                .iter()
                .any(|o| o.residents == m.residents && o.runs == m.runs && o.checksum != m.checksum)
    });
    if sc.sweeps.iter().any(|m| {
        sc.sweeps
            .iter()
            .any(|o| o.residents == m.residents && o.runs == m.runs && o.threads != m.threads)
    }) {
        t.push(Target::new(
            "a sweep's files, whatever the thread count",
            "identical",
            if differ { "differ" } else { "identical" }.into(),
            !differ,
        ));
    }
    t
}
