//! `linkage run`: load and adjust the scenario, run each regime with a progress bar,
//! print the comparison and write the run folder.

use super::{Failure, RunArgs};
use crate::engine::run::{RegimeRun, twin_split};
use crate::experiment::plan::replicate_seed;
use crate::experiment::single;
use crate::output::files::{self, OutDir};
use crate::output::metrics::{self, Cell, Summary};
use crate::output::table;
use crate::report::compare;
use crate::scenario::Scenario;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;

/// The checked configuration of a run: everything validated before any work starts.
pub(super) struct Plan {
    pub(super) run: single::Plan,
    threads: usize,
    out: PathBuf,
}

/// What `args` ask to run, as the library's request (the Python package builds the same).
pub(super) fn request(args: &RunArgs) -> single::Request {
    single::Request {
        scenario: args.scenario.clone(),
        regimes: args.regimes.clone(),
        seed: args.seed,
        ticks: args.ticks,
        residents: args.residents,
        warmup: args.warmup,
        settings: args.settings.clone(),
        twin: !args.no_twin,
    }
}

pub(super) fn plan(args: &RunArgs) -> Result<Plan, Failure> {
    let run = single::plan(&request(args)).map_err(Failure::input)?;
    let scenario = &run.scenario;
    let threads = args.threads.unwrap_or_else(crate::base::pool::all_cores);
    let out = match &args.out {
        Some(p) => p.clone(),
        None => {
            let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
            let base = PathBuf::from("runs").join(format!("{}-{stamp}", scenario.name));
            let mut out = base.clone();
            let mut k = 2;
            while out.exists() {
                out = PathBuf::from(format!("{}-{k}", base.display()));
                k += 1;
            }
            out
        }
    };
    Ok(Plan { run, threads, out })
}

pub fn run(args: &RunArgs) -> Result<(), Failure> {
    let plan = plan(args)?;
    let out = OutDir::prepare(&plan.out).map_err(Failure::input)?;
    let pool = crate::base::pool::pool(Some(plan.threads))?;
    let sc = &plan.run.scenario;
    let ticks = sc.run.ticks as u64;
    let split = twin_split(sc, plan.run.twin);
    let warmup = sc.run.warmup as u64;
    let replicates = args.replicates;
    let bar = progress_bar(args.quiet, plan.run.days() * replicates as u64);
    let started = Instant::now();
    let (runs, twins) = pool.install(|| run_regimes(&plan, sc, &bar, ""));
    let seconds = started.elapsed().as_secs_f64();
    let (tables, summaries) = metrics::summarise_runs(sc, &runs, &twins);
    // Replicate 1 is the run itself (its own seed); the others are seeded as a sweep
    // with common random numbers seeds its replicates, every regime of a replicate alike.
    let format = files::Format::from(args.format);
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut seeds = vec![sc.run.seed];
    if replicates >= 2 {
        rows.extend(
            summaries
                .iter()
                .map(|s| files::replicate_row(s, 1, sc.run.seed)),
        );
        for r in 2..=replicates {
            let mut again = sc.clone();
            again.run.seed = replicate_seed(sc.run.seed, None, (r - 1) as u64);
            seeds.push(again.run.seed);
            let tag = format!(" {r}/{replicates}");
            let (runs, twins) = pool.install(|| run_regimes(&plan, &again, &bar, &tag));
            let (_, more) = metrics::summarise_runs(&again, &runs, &twins);
            rows.extend(
                more.iter()
                    .map(|s| files::replicate_row(s, r, again.run.seed)),
            );
        }
        // Regime by regime, replicates in order.
        rows.sort_by_key(|r| r[0].spell());
    }
    let replicates_table = files::replicates_table(rows);
    if replicates >= 2 {
        write_replicates(&out, &replicates_table, sc, format)?;
    }
    bar.finish_and_clear();
    let all_seconds = started.elapsed().as_secs_f64();
    let dest = write_folder(out, sc, &runs, &tables, &summaries, format)?;
    // Tables of an earlier run into this folder, in the other format or of replicates
    // this run does not have, are not this run's.
    let mut written = format.files();
    if replicates >= 2 {
        written.extend(replicates_files(format));
    }
    let every = files::Format::Both.files();
    for name in every
        .into_iter()
        .chain(replicates_files(files::Format::Both))
    {
        let stale = dest.join(name);
        if !written.contains(&name) && stale.exists() {
            std::fs::remove_file(&stale).map_err(|e| Failure {
                code: 1,
                message: format!("cannot remove {}: {e}", stale.display()),
            })?;
        }
    }
    args.report.write_into(&dest)?;

    let shock = match (sc.shock_start(), sc.shock_end()) {
        (Some(s), Some(e)) => format!(", shock days {s}-{}", e - 1),
        _ => String::new(),
    };
    println!(
        "{}: {} residents, {} days{shock}, seed {}\n",
        sc.name,
        runs.first().map_or(0, |r| r.residents),
        ticks,
        sc.run.seed
    );
    print!("{}", table::comparison(&summaries));
    if replicates >= 2 {
        let rows: Vec<Vec<String>> = replicates_table
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::spell).collect())
            .collect();
        let spreads = compare::from_rows(&replicates_table.header, &rows, &compare::METRICS);
        println!(
            "\nThe table above is replicate 1 (seed {}). Over {replicates} replicates (seeds {}), each regime's mean with its 95% interval:\n",
            sc.run.seed,
            seeds
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        print!("{}", compare::text(&spreads));
    }
    if !args.quiet {
        print_cost(&runs, seconds, ticks + warmup, plan.threads);
        print_twin_cost(&twins, split);
        if replicates >= 2 {
            eprintln!(
                "replicates 2-{replicates}: {:.2} s more",
                all_seconds - seconds
            );
        }
        eprintln!(
            "wrote {}/{{{}, params.toml{}}}",
            dest.display(),
            format.files().join(", "),
            if replicates >= 2 {
                format!(", {}", replicates_files(format).join(", "))
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

/// The files of the replicates' table in `format`.
fn replicates_files(format: files::Format) -> Vec<&'static str> {
    format.pick(&[files::REPLICATES], &[files::REPLICATES_PARQUET])
}

/// `replicates.csv` and (or) `replicates.parquet` into `out`, as `format` says.
fn write_replicates(
    out: &OutDir,
    table: &files::Table,
    sc: &Scenario,
    format: files::Format,
) -> Result<(), Failure> {
    let failed = |e: files::OutputError| Failure {
        code: 1,
        message: e.to_string(),
    };
    if format.csv() {
        files::write_table(&out.file(files::REPLICATES), table).map_err(failed)?;
    }
    if format.parquet() {
        let params = files::run_params(sc);
        let path = out.file(files::REPLICATES_PARQUET);
        crate::output::parquet::write_table(&path, table, &params).map_err(failed)?;
    }
    Ok(())
}

/// Run each regime of `plan` on `sc` (with its twin when the plan has one), one after
/// another, the progress bar's prefix the regime's name and `tag`.
fn run_regimes(
    plan: &Plan,
    sc: &Scenario,
    bar: &ProgressBar,
    tag: &str,
) -> (Vec<RegimeRun>, Vec<Option<RegimeRun>>) {
    let mut last = String::new();
    single::run_regimes(&plan.run, sc, |name| {
        if name != last {
            last = name.to_string();
            bar.set_prefix(format!("{name}{tag}"));
        }
        bar.inc(1);
        true
    })
    .expect("a run that is never asked to stop finishes")
}

/// What the no-shock twins cost, or why there are none.
fn print_twin_cost(twins: &[Option<RegimeRun>], split: Option<u32>) {
    let seconds: f64 = twins.iter().flatten().map(|t| t.seconds).sum();
    if let Some(day) = split {
        eprintln!(
            "no-shock twins (copied on day {day}, resilience measured against them): {seconds:.2} s of the total; --no-twin skips them"
        );
    }
}

/// The progress bar over all regimes' ticks (hidden with `--quiet`).
fn progress_bar(quiet: bool, total_ticks: u64) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total_ticks), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>10} [{bar:30}] {pos}/{len} ticks  {elapsed_precise} eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar
}

/// Write the run folder ([`files::write_run_folder`]) and move it into place; returns
/// where it is.
fn write_folder(
    out: OutDir,
    sc: &Scenario,
    runs: &[RegimeRun],
    tables: &[ndarray::Array3<f64>],
    summaries: &[Summary],
    format: files::Format,
) -> Result<PathBuf, Failure> {
    files::write_run_folder(out, sc, runs, tables, summaries, format).map_err(|e| Failure {
        code: 1,
        message: e.to_string(),
    })
}

/// What the run cost, on stderr: resident-ticks a second while ticking, and peak memory.
/// `ticks` counts each regime's days stepped, its warm-up included (the twins' are not).
fn print_cost(runs: &[RegimeRun], seconds: f64, ticks: u64, threads: usize) {
    let resident_ticks: u64 = runs.iter().map(|r| r.residents * ticks).sum();
    let build: f64 = runs.iter().map(|r| r.build_seconds).sum();
    let stepping: f64 = runs.iter().map(|r| r.seconds - r.build_seconds).sum();
    eprintln!(
        "\n{} resident-ticks in {:.2} s ({:.2} s building, {:.2} s ticking): {:.2} million resident-ticks per second while ticking, {:.1} ms a tick ({} thread{})",
        crate::output::table::thousands(resident_ticks as f64),
        seconds,
        build,
        stepping,
        resident_ticks as f64 / stepping / 1e6,
        stepping * 1e3 / (ticks as f64 * runs.len() as f64),
        threads,
        if threads == 1 { "" } else { "s" }
    );
    if let Some(peak) = crate::engine::memory::peak_bytes() {
        let residents = runs.first().map_or(1, |r| r.residents).max(1);
        eprintln!(
            "peak memory {:.0} MB, {:.0} bytes a resident",
            peak as f64 / 1e6,
            peak as f64 / residents as f64
        );
    }
}
