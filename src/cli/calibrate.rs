//! `linkage calibrate FILE`: fit scenario parameters to empirical targets by ABC-SMC
//! (`experiment::calibrate`), and write the accepted parameter sets, the fitted
//! scenario, each target observed against predicted, and a report with the marginals.

use super::Failure;
use crate::experiment::calibrate::{self, abc, output};
use crate::output::files::OutDir;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args, Debug, Clone)]
pub struct CalibrateArgs {
    /// The calibration file (.toml): targets, free parameters and their ranges, budget.
    pub file: PathBuf,
    /// Output folder. Default: runs/<name>/. Written whole when the calibration ends.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (≥ 1). Default: all cores. Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// No progress bar on stderr (the fit still goes to stdout).
    #[arg(long)]
    pub quiet: bool,
    /// Check the file (targets, parameters, scenarios, budget) and say what it would
    /// run, without running it.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub lang: super::LangArgs,
}

pub fn calibrate(a: &CalibrateArgs) -> Result<(), Failure> {
    let prepared = calibrate::load(&a.file).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        Failure::input(lines.join("\n"))
    })?;
    let c = &prepared.calibration;
    if a.check {
        let s = prepared.settings();
        println!(
            "{}: ok: {} targets, {} free parameters, {} particles × {} runs each, at most {} generations and {} runs",
            prepared.label,
            c.targets.len(),
            c.parameters.len(),
            s.particles,
            prepared.runs_per_eval(),
            s.generations,
            s.budget
        );
        return Ok(());
    }
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("runs").join(&c.name));
    let dir = OutDir::prepare(&out).map_err(Failure::input)?;
    let pool = crate::base::pool::pool(a.threads.map(|t| t as usize))?;
    let settings = prepared.settings();
    let per = prepared.runs_per_eval();
    let bar = if a.quiet {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::with_draw_target(
            Some(settings.particles as u64),
            ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos} candidates  {elapsed_precise}  {msg}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_prefix(format!("{}: generation 0", c.name));
        bar
    };
    let started = Instant::now();
    let bar2 = bar.clone();
    let on_eval = move || bar2.inc(1);
    let quiet = a.quiet;
    let mut on_generation = |t: usize, g: &abc::Generation| {
        let line = format!(
            "generation {t}: tolerance {}, accepted {} of {} candidates ({:.1}%), effective sample {:.0}",
            if g.epsilon.is_finite() {
                format!("{:.3}", g.epsilon)
            } else {
                "∞".to_string()
            },
            g.particles.len(),
            g.candidates,
            100.0 * g.acceptance(),
            g.ess()
        );
        // A log (stderr not a terminal) gets the line too; the bar is hidden there.
        if !quiet && bar.is_hidden() {
            eprintln!("{line}");
        } else if !quiet {
            bar.println(line);
        }
        bar.set_prefix(format!("{}: generation {}", c.name, t + 1));
        bar.set_position(0);
        bar.set_length(settings.particles as u64);
    };
    let outcome = pool
        .install(|| {
            abc::abc_smc(
                &prepared.ranges(),
                &settings,
                per,
                |theta, seed| prepared.evaluate(theta, seed),
                &on_eval,
                &mut on_generation,
            )
        })
        .map_err(|source| {
            Failure::input(calibrate::CalibrateError::Abc {
                file: prepared.label.clone(),
                source,
            })
        })?;
    bar.finish_and_clear();
    let best = calibrate::best(&outcome);
    let fit = output::fit(&prepared, &outcome, best);
    let marginals = output::marginals(&prepared, &outcome, best);
    let best_toml = output::best_toml(&prepared, &outcome, best, &fit).map_err(|e| {
        Failure::input(format!(
            "{}: the fitted scenario is refused: {e}",
            prepared.label
        ))
    })?;
    let files = [
        (
            "calibration.toml",
            toml::to_string(&prepared.calibration).expect("calibration serialises"),
        ),
        ("particles.csv", output::particles_csv(&prepared, &outcome)),
        ("posterior.csv", output::posterior_csv(&prepared, &outcome)),
        (
            "generations.csv",
            output::generations_csv(&prepared, &outcome),
        ),
        ("fit.csv", output::fit_csv(&fit)),
        ("best.toml", best_toml),
    ];
    for (name, text) in &files {
        std::fs::write(dir.file(name), text).map_err(|e| {
            Failure::input(format!("cannot write {}: {e}", dir.file(name).display()))
        })?;
    }
    let out = dir.commit().map_err(Failure::input)?;
    print_fit(
        &prepared,
        &outcome,
        &fit,
        &marginals,
        started.elapsed().as_secs_f64(),
    );
    println!("output: {}", out.display());
    super::report(&out, a.lang.lang.into())?;
    Ok(())
}

fn print_fit(
    p: &calibrate::Prepared,
    o: &abc::Outcome,
    fit: &[output::FitRow],
    marginals: &[output::Marginal],
    seconds: f64,
) {
    let last = o.generations.last().expect("a generation");
    println!(
        "{}: {} runs in {:.0} s; it {}. Last generation: {} particles, tolerance {}, effective sample {:.0}.",
        p.calibration.name,
        o.runs,
        seconds,
        output::stop_words(o),
        last.particles.len(),
        if last.epsilon.is_finite() {
            format!("{:.3}", last.epsilon)
        } else {
            "∞ (the prior's draws)".to_string()
        },
        last.ess()
    );
    println!();
    let render = crate::output::table::render;
    let rows: Vec<Vec<String>> = fit
        .iter()
        .map(|f| {
            vec![
                f.label.clone(),
                format!("{:.3}", f.observed),
                format!("{:.3}", f.mean),
                format!("{:.3} – {:.3}", f.low, f.high),
                format!("{:.3}", f.best),
                if f.within() { "yes" } else { "no" }.to_string(),
            ]
        })
        .collect();
    let header = [
        "target",
        "observed",
        "predicted",
        "95% interval",
        "best",
        "within 2 sd",
    ];
    print!("{}", render(&header, &rows));
    println!();
    let rows: Vec<Vec<String>> = marginals
        .iter()
        .map(|m| {
            vec![
                m.path.clone(),
                format!("{} – {}", m.range.0, m.range.1),
                format!("{:.4}", m.mean),
                format!("{:.4} – {:.4}", m.low, m.high),
                format!("{:.4}", m.best),
            ]
        })
        .collect();
    let header = ["parameter", "prior range", "mean", "95% interval", "best"];
    print!("{}", render(&header, &rows));
}
