//! `linkage sweep` and `linkage merge`.

use super::{Failure, FormatArg};
use crate::experiment::plan::{self, Overrides, Scale};
use crate::experiment::sweep::{self, Format, Options, SweepError};
use crate::output::metrics::HOTLINE;
use crate::output::parquet;
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The largest `--replicates` (the Python package checks the same bounds).
pub const MAX_REPLICATES: i64 = 1_000_000;
/// The largest `--ticks` of a sweep.
pub const MAX_TICKS: i64 = 36_500;
/// The largest `--threads` of a sweep.
pub const MAX_THREADS: i64 = 1024;

#[derive(clap::Args, Debug, Clone)]
pub struct SweepArgs {
    /// Experiment file (TOML; see docs/experiments.md).
    pub experiment: PathBuf,
    /// Output folder. Default: runs/<experiment name>/ (so the same command resumes).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override the replicates per cell (≥ 1).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_REPLICATES))]
    pub replicates: Option<u32>,
    /// Override the days per run (≥ 1).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_TICKS))]
    pub ticks: Option<u32>,
    /// Override the population: small (5,000), default, full (3,200,000).
    #[arg(long, value_enum)]
    pub scale: Option<ScaleArg>,
    /// Which files hold the finished sweep's tables: csv (runs.csv, summary.csv,
    /// series.csv, series-summary.csv), parquet (the same tables as .parquet files: typed
    /// columns, ZSTD, experiment.toml's text in each file's metadata) or both. Runs are
    /// journalled in runs.csv and series.csv while the sweep runs whatever the format;
    /// with parquet, the CSV files are removed once the Parquet files are in place. Not
    /// part of what a resume checks: a folder can be resumed or finished in another format.
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    #[command(flatten)]
    pub report: super::ReportArgs,
    #[command(flatten)]
    pub how: How,
}

/// How a plan is run: the options `linkage sweep` and `linkage attribute` share.
#[derive(clap::Args, Debug, Clone)]
pub struct How {
    /// Runs at once (≥ 1). Default: all cores.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS))]
    pub threads: Option<u16>,
    /// Run only shard K of N (runs whose id mod N is K − 1), e.g. 2/8.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Discard what the output folder holds and start over.
    #[arg(long)]
    pub restart: bool,
    /// No progress bar and no notes on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// Run under MPI (`mpirun -np N linkage sweep FILE --mpi`): rank 0 schedules and
    /// writes, the other ranks run. Needs a build with `--features mpi`.
    #[arg(long)]
    pub mpi: bool,
}

impl How {
    /// Refuse what cannot be done: MPI without the feature, MPI with a shard.
    pub fn check(&self) -> Result<(), Failure> {
        if self.mpi && !cfg!(feature = "mpi") {
            return Err(Failure::input(
                "this linkage was built without MPI; build it with `cargo build --release --features mpi` (needs Open MPI and libclang)",
            ));
        }
        if self.mpi && self.shard.is_some() {
            return Err(Failure::input(
                "--mpi and --shard do not combine; MPI already spreads the runs over the ranks",
            ));
        }
        Ok(())
    }
}

/// `--scale`: the command line's spelling of [`Scale`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScaleArg {
    /// 5,000 residents.
    Small,
    /// The scenario's (or the experiment's) own size.
    Default,
    /// A whole prefecture-level city: 3,200,000 residents.
    Full,
}

impl From<ScaleArg> for Scale {
    fn from(s: ScaleArg) -> Scale {
        match s {
            ScaleArg::Small => Scale::Small,
            ScaleArg::Default => Scale::Default,
            ScaleArg::Full => Scale::Full,
        }
    }
}

pub fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let bad = || "the shard must be K/N with 1 ≤ K ≤ N (e.g. 2/8)".to_string();
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Exit code 2 for the user's input, 1 for the system.
fn fail(e: SweepError) -> Failure {
    Failure {
        code: if e.is_input() { 2 } else { 1 },
        message: e.to_string(),
    }
}

pub fn sweep(a: &SweepArgs) -> Result<(), Failure> {
    let overrides = Overrides {
        replicates: a.replicates,
        ticks: a.ticks,
        scale: a.scale.map(Scale::from),
    };
    a.how.check()?;
    let plan = plan::load(&a.experiment, overrides).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        Failure::input(lines.join("\n"))
    })?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("runs").join(&plan.experiment.name));
    let label = a.experiment.display().to_string();
    if run_plan(&plan, &out, &label, &a.how, a.format.into())? {
        print_headline(&out);
        a.report.write_into(&out)?;
    }
    Ok(())
}

/// Refuse a sweep whose runs going on at once (one a thread, of `total`) would not fit
/// in memory; `label` names the experiment. Also the Python package's check.
pub fn check_memory(
    plan: &plan::Plan,
    label: &str,
    total: u64,
    threads: usize,
) -> Result<(), Failure> {
    let memory = crate::engine::memory::total_bytes();
    let worlds = total.min(threads as u64);
    for cell in &plan.cells {
        // A run with its no-shock twin holds two worlds from the shock on.
        let paired = crate::engine::run::twin_split(&cell.scenario, plan.experiment.twin);
        let at_once = worlds * if paired.is_some() { 2 } else { 1 };
        let what = format!(
            "{label}: scenario '{}' (worlds at once: {at_once})",
            cell.scenario_name
        );
        crate::engine::memory::check_fits(&cell.scenario, &what, 1, at_once, memory)
            .map_err(Failure::input)?;
    }
    Ok(())
}

/// Run `plan` into `out` as `a` says (threads, shard, restart, MPI, quiet), finishing
/// its tables in `format`; `label` names the experiment in messages. False on an MPI
/// worker rank (rank 0 reports).
pub(super) fn run_plan(
    plan: &plan::Plan,
    out: &Path,
    label: &str,
    a: &How,
    format: Format,
) -> Result<bool, Failure> {
    if !a.quiet {
        for n in &plan.notes {
            eprintln!("note: {n}");
        }
    }
    let pool = crate::base::pool::pool(a.threads.map(|t| t as usize))?;
    let threads = pool.current_num_threads();
    let total = sweep::shard_runs(plan, a.shard).len() as u64;
    check_memory(plan, label, total, threads)?;
    let bar = if a.quiet {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} runs  {elapsed_precise} eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_prefix(plan.experiment.name.clone());
        bar
    };
    let started = Instant::now();
    let bar2 = bar.clone();
    let bar3 = bar.clone();
    let options = Options {
        shard: a.shard,
        restart: a.restart,
        format,
        on_run: Box::new(move || bar2.inc(1)),
        on_start: Box::new(move |done| bar3.set_position(done)),
        stop: None,
    };
    let result = if a.mpi {
        #[cfg(feature = "mpi")]
        {
            match pool
                .install(|| crate::experiment::mpi::run(plan, out, &options))
                .map_err(fail)?
            {
                Some(outcome) => outcome,
                None => return Ok(false), // a worker rank: rank 0 reports
            }
        }
        #[cfg(not(feature = "mpi"))]
        unreachable!("checked above")
    } else {
        pool.install(|| sweep::run(plan, out, &options))
            .map_err(fail)?
    };
    bar.finish_and_clear();
    if !a.quiet {
        eprintln!(
            "{}: {} runs ({} already done, {} run now) in {:.1} s on {threads} thread{}; wrote {}/{{{}}}",
            plan.experiment.name,
            result.total,
            result.already_done,
            result.ran,
            started.elapsed().as_secs_f64(),
            if threads == 1 { "" } else { "s" },
            out.display(),
            sweep::files(format).join(", ")
        );
    }
    Ok(true)
}

/// The metrics whose cell means the headline table shows (names of the metric table,
/// `output::metrics::SUMMARY_COLUMNS`).
/// Collective action is shown three ways: onsets alone flatter many short incidents.
const TABLE_METRICS: [&str; 6] = [
    "solution_rate",
    "trust_end",
    "happiness_end",
    "incidents",
    "incident_days",
    "protester_days",
];

/// The tables printed after a sweep, per cell: the headline metrics, then the hotline's
/// grades (`output::metrics::HOTLINE`), each with the columns the sweep recorded (a table
/// with none of its metrics is left out).
fn print_headline(dir: &Path) {
    // summary.csv, or summary.parquet read back as its text.
    let Some(path) = parquet::locate(&dir.join(sweep::SUMMARY)) else {
        return;
    };
    let Some(text) = std::fs::File::open(&path)
        .ok()
        .and_then(|f| parquet::read_text(&path, f).ok())
    else {
        return;
    };
    let mut r = csv::Reader::from_reader(text);
    let Ok(h) = r.headers().cloned() else { return };
    let h: Vec<String> = h.iter().map(String::from).collect();
    let records: Vec<csv::StringRecord> = r.records().flatten().collect();
    let mut first = true;
    for metrics in [&TABLE_METRICS[..], &HOTLINE[..]] {
        if let Some(lines) = cell_table(&h, &records, metrics) {
            if !first {
                println!();
            }
            first = false;
            for line in lines {
                println!("{line}");
            }
        }
    }
}

/// The lines of a table of the cells' means of `metrics` (the summary's labels up to `n`,
/// then each metric's mean to three decimals, `-` where undefined); `None` when the
/// summary has none of the metrics.
fn cell_table(
    h: &[String],
    records: &[csv::StringRecord],
    metrics: &[&str],
) -> Option<Vec<String>> {
    let n_idx = h.iter().position(|x| x == "n").unwrap_or(0);
    let picks: Vec<usize> = metrics
        .iter()
        .filter_map(|m| h.iter().position(|x| *x == format!("{m}_mean")))
        .collect();
    if picks.is_empty() {
        return None;
    }
    let mut rows = vec![];
    let mut head: Vec<String> = h[..=n_idx].to_vec();
    head.extend(
        picks
            .iter()
            .map(|&i| h[i].trim_end_matches("_mean").to_string()),
    );
    rows.push(head);
    for rec in records {
        let mut row: Vec<String> = rec.iter().take(n_idx + 1).map(String::from).collect();
        row.extend(picks.iter().map(|&i| {
            rec.get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .map_or("-".into(), |v| format!("{v:.3}"))
        }));
        rows.push(row);
    }
    let width: Vec<usize> = (0..rows[0].len())
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |x| x.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut lines = Vec::with_capacity(rows.len() + 1);
    for (k, row) in rows.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .zip(&width)
            .map(|(c, &w)| format!("{c:>w$}"))
            .collect();
        lines.push(line.join("  "));
        if k == 0 {
            lines.push(
                width
                    .iter()
                    .map(|&w| "-".repeat(w))
                    .collect::<Vec<_>>()
                    .join("  "),
            );
        }
    }
    Some(lines)
}

pub fn merge(dirs: &[PathBuf], out: &Path, format: FormatArg) -> Result<(), Failure> {
    let format = Format::from(format);
    let (rows, total) = sweep::merge(dirs, out, format).map_err(fail)?;
    eprintln!(
        "merged {} folders: {rows} of {total} runs into {}/{{{}}}",
        dirs.len(),
        out.display(),
        sweep::files(format).join(", ")
    );
    if (rows as u64) < total {
        eprintln!(
            "note: {} runs are missing; run the remaining shards and merge again",
            total - rows as u64
        );
    }
    print_headline(out);
    Ok(())
}

/// `linkage analyze DIR`: the indices of a finished morris or sobol sweep into
/// DIR/indices.csv (written whole or not at all), and the findings in words on stdout;
/// with `--report`, the sweep's report again, now with its sensitivity section.
pub fn analyze(dir: &Path, resamples: usize, report: &super::ReportArgs) -> Result<(), Failure> {
    use crate::experiment::analyze as an;
    let a = an::analyze(dir, resamples).map_err(Failure::input)?;
    let out = dir.join("indices.csv");
    crate::base::fs::write_atomic(&out, an::indices_csv(&a)).map_err(|e| Failure {
        code: 1,
        message: format!("cannot write {}: {e}", out.display()),
    })?;
    println!(
        "{} design, {} replicate{} a point averaged; 95% bootstrap intervals ({resamples} resamples)",
        a.design,
        a.replicates,
        if a.replicates == 1 { "" } else { "s" }
    );
    for line in an::in_words(&a) {
        println!("{line}");
    }
    eprintln!("wrote {} ({} indices)", out.display(), a.rows.len());
    if !report.report && dir.join("report.html").exists() {
        eprintln!(
            "note: {}/report.html predates these indices; `linkage report {}` (or --report here) writes it again with them",
            dir.display(),
            dir.display()
        );
    }
    report.write_into(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headline_table_names_run_metrics() {
        let known = plan::all_metrics();
        for m in TABLE_METRICS.iter().chain(&HOTLINE) {
            assert!(known.iter().any(|k| k == m), "{m} is not a metric");
        }
    }

    #[test]
    fn every_scale_converts() {
        for s in ScaleArg::value_variants() {
            let name = s.to_possible_value().unwrap().get_name().to_string();
            let scale = Scale::from(*s);
            assert_eq!(format!("{scale:?}").to_lowercase(), name);
        }
    }
}
