//! `linkage params`: every numeric parameter of a scenario with its value, unit and
//! source, and with `--influence` each one's measured one-at-a-time influence on the
//! headline metrics, as the markdown page `docs/parameters.md` (`report::params`).

use super::Failure;
use crate::experiment::influence;
use crate::scenario::Scenario;
use crate::scenario::sources::{Leaf, leaves};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;

/// Residents of the influence runs unless `--residents` says otherwise.
pub const INFLUENCE_RESIDENTS: u64 = 5_000;

#[derive(clap::Args, Debug, Clone)]
pub struct ParamsArgs {
    /// Also measure each parameter's influence: set to −20% and +20%, one at a time, on
    /// the headline metrics of one regime (runs in parallel).
    #[arg(long)]
    pub influence: bool,
    /// Built-in scenario name or path to a scenario .toml file.
    #[arg(long, default_value = crate::scenario::builtin::DEFAULT)]
    pub scenario: String,
    /// Residents (N ≥ 100). Default: 5,000 with --influence, otherwise the scenario's.
    #[arg(long, value_parser = super::parse_residents, allow_negative_numbers = true)]
    pub residents: Option<u64>,
    /// Days to simulate (≥ 1). Default: the scenario's.
    #[arg(long, value_parser = super::parse_ticks, allow_negative_numbers = true)]
    pub ticks: Option<u32>,
    /// The regime whose metrics the influence is measured on.
    #[arg(long, default_value = "linkage")]
    pub regime: String,
    /// Only the parameters whose path starts with this (e.g. `government.`).
    #[arg(long)]
    pub only: Option<String>,
    /// Worker threads (≥ 1). Default: all cores. Results do not depend on it.
    #[arg(long, value_parser = super::parse_threads, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Write the page here (e.g. docs/parameters.md) instead of to stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar and no notes on stderr.
    #[arg(long)]
    pub quiet: bool,
}

/// The command line that makes this page again, every choice spelled out.
fn command(a: &ParamsArgs, s: &Scenario) -> String {
    let mut c = "linkage params".to_string();
    if a.influence {
        c.push_str(" --influence");
    }
    c.push_str(&format!(" --scenario {}", a.scenario));
    if a.influence || a.residents.is_some() {
        c.push_str(&format!(" --residents {}", s.run.residents));
    }
    if let Some(t) = a.ticks {
        c.push_str(&format!(" --ticks {t}"));
    }
    if a.influence {
        c.push_str(&format!(" --regime {}", a.regime));
    }
    if let Some(o) = &a.only {
        c.push_str(&format!(" --only {o}"));
    }
    if let Some(out) = &a.out {
        c.push_str(&format!(" --out {}", out.display()));
    }
    c
}

/// The scenario as the page describes it: loaded, with `--ticks` and `--residents`.
fn scenario(a: &ParamsArgs) -> Result<Scenario, Failure> {
    let mut s = Scenario::load(&a.scenario).map_err(Failure::input)?;
    if let Some(t) = a.ticks {
        s = s.with_ticks(t);
    }
    match (a.residents, a.influence) {
        (Some(n), _) => s.run.residents = n,
        (None, true) => s.run.residents = INFLUENCE_RESIDENTS,
        (None, false) => {}
    }
    s.validate().map_err(Failure::input)?;
    if a.influence {
        s.select_regimes(std::slice::from_ref(&a.regime))
            .map_err(Failure::input)?;
        let memory = crate::engine::memory::total_bytes();
        let threads = a.threads.unwrap_or_else(crate::base::pool::all_cores) as u64;
        let what = format!("scenario {} as run", a.scenario);
        crate::engine::memory::check_fits(&s, &what, 1, threads, memory).map_err(Failure::input)?;
    }
    Ok(s)
}

/// The parameters listed: every numeric field, or those under `--only`.
fn chosen(a: &ParamsArgs, s: &Scenario) -> Result<Vec<Leaf>, Failure> {
    let all = leaves(s);
    let Some(prefix) = &a.only else {
        return Ok(all);
    };
    let some: Vec<Leaf> = all
        .iter()
        .filter(|l| l.path.starts_with(prefix.as_str()))
        .cloned()
        .collect();
    if some.is_empty() {
        let mut tops: Vec<&str> = all
            .iter()
            .filter_map(|l| l.path.split(['.', '[']).next())
            .collect();
        tops.dedup();
        return Err(Failure::input(format!(
            "--only '{prefix}' matches no parameter; paths start with {}",
            tops.join(", ")
        )));
    }
    Ok(some)
}

pub fn params(a: &ParamsArgs) -> Result<(), Failure> {
    let s = scenario(a)?;
    let listed = chosen(a, &s)?;
    let started = Instant::now();
    let measured = if a.influence {
        let runs = influence::runs_needed(&s, &a.regime, &listed);
        let bar = progress_bar(a.quiet, runs as u64);
        let pool = crate::base::pool::pool(a.threads)?;
        let m = pool.install(|| influence::measure(&s, &a.regime, &listed, &|| bar.inc(1)));
        bar.finish_and_clear();
        if !a.quiet {
            eprintln!(
                "{} parameters, {runs} runs of {} residents × {} days in {:.1} s on {} threads",
                listed.len(),
                s.run.residents,
                s.run.ticks,
                started.elapsed().as_secs_f64(),
                pool.current_num_threads()
            );
        }
        Some(m)
    } else {
        None
    };
    let page = crate::report::params::markdown(&s, &listed, measured.as_ref(), &command(a, &s));
    match &a.out {
        None => print!("{page}"),
        Some(path) => {
            crate::base::fs::write_atomic(path, page).map_err(|e| Failure {
                code: 1,
                message: format!("{}: {e}", path.display()),
            })?;
            if !a.quiet {
                eprintln!("wrote {}", path.display());
            }
        }
    }
    Ok(())
}

/// The progress bar over the influence runs (hidden with `--quiet`).
fn progress_bar(quiet: bool, runs: u64) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "params [{bar:30}] {pos}/{len} runs  {elapsed_precise} eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar
}
