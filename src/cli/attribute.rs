//! `linkage attribute`: the difference between two regimes, attributed to their
//! mechanisms by exact Shapley values over the 2^k hybrid regimes
//! (`experiment::attribution`). The hybrids run as a sweep, so the command resumes
//! after a kill, runs a shard with `--shard K/N` (merge the shards with `linkage merge`,
//! then run the command again on the merged folder) and runs under MPI.

use super::Failure;
use super::sweep::{How, run_plan};
use crate::experiment::analyze;
use crate::experiment::attribution::{self, Attribution, MAX_MECHANISMS, Mean, Switch};
use crate::experiment::plan::{self, Overrides};
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug, Clone)]
pub struct AttributeArgs {
    /// The regime the difference is measured from.
    #[arg(long)]
    pub from: String,
    /// The regime the difference is measured to.
    #[arg(long)]
    pub to: String,
    /// Built-in scenario name or path to a scenario .toml file.
    #[arg(long, default_value = crate::scenario::builtin::DEFAULT)]
    pub scenario: String,
    /// Metrics to attribute (comma-separated). Default: solution_rate, trust_end,
    /// happiness_end, incidents.
    #[arg(long, value_delimiter = ',')]
    pub metrics: Vec<String>,
    /// Mechanisms to switch (comma-separated, at most 12). Default: every mechanism whose
    /// value differs between the two regimes.
    #[arg(long, value_delimiter = ',')]
    pub mechanisms: Vec<String>,
    /// Replicates of each hybrid (≥ 2 for intervals).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replicates: u32,
    /// Residents of each run (≥ 100). Default: the scenario's.
    #[arg(long, value_parser = super::parse_residents)]
    pub residents: Option<u64>,
    /// Days of each run. Default: the scenario's.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub ticks: Option<u32>,
    /// Seed of the attribution (the replicates' common random numbers derive from it).
    #[arg(long, default_value_t = 1, value_parser = super::parse_seed)]
    pub seed: u64,
    /// Do not run the no-shock twins (faster; resilience against the pre-shock mean).
    #[arg(long)]
    pub no_twin: bool,
    /// Output folder. Default: runs/attribution-<from>-<to>/ (so the same command resumes).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub report: super::ReportArgs,
    #[command(flatten)]
    pub how: How,
}

const DEFAULT_METRICS: [&str; 4] = ["solution_rate", "trust_end", "happiness_end", "incidents"];

/// The switches of `a`: the chosen mechanisms with their values in both regimes.
fn switches(a: &AttributeArgs, sc: &Scenario) -> Result<Vec<Switch>, Failure> {
    let regime = |name: &str| {
        sc.regimes.get(name).copied().ok_or_else(|| {
            Failure::input(format!(
                "scenario '{}' has no regime '{name}'; it has {}",
                a.scenario,
                sc.regimes.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })
    };
    let (from, to) = (regime(&a.from)?.fields(), regime(&a.to)?.fields());
    if a.from == a.to {
        return Err(Failure::input(
            "--from and --to name the same regime; nothing to attribute",
        ));
    }
    let all: Vec<Switch> = from
        .iter()
        .zip(&to)
        .map(|(&(name, f), &(_, t))| Switch {
            name: name.to_string(),
            from: f,
            to: t,
        })
        .collect();
    let chosen: Vec<Switch> = if a.mechanisms.is_empty() {
        all.into_iter().filter(|s| s.from != s.to).collect()
    } else {
        let mut out = Vec::new();
        for m in &a.mechanisms {
            let Some(s) = all.iter().find(|s| s.name == *m) else {
                return Err(Failure::input(format!(
                    "--mechanisms: '{m}' is not a mechanism; allowed: {}",
                    all.iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            };
            if s.from == s.to {
                return Err(Failure::input(format!(
                    "--mechanisms: {m} is {} in both {} and {}; switching it changes nothing",
                    s.from, a.from, a.to
                )));
            }
            if out.iter().any(|o: &Switch| o.name == *m) {
                return Err(Failure::input(format!("--mechanisms: {m} is named twice")));
            }
            out.push(s.clone());
        }
        out
    };
    if chosen.is_empty() {
        return Err(Failure::input(format!(
            "{} and {} set every mechanism alike; nothing to attribute",
            a.from, a.to
        )));
    }
    if chosen.len() > MAX_MECHANISMS {
        return Err(Failure::input(format!(
            "{} mechanisms would need 2^{} hybrids; choose at most {MAX_MECHANISMS} with --mechanisms",
            chosen.len(),
            chosen.len()
        )));
    }
    Ok(chosen)
}

pub fn attribute(a: &AttributeArgs) -> Result<(), Failure> {
    a.how.check()?;
    let sc = Scenario::load(&a.scenario).map_err(|e| Failure::input(e.to_string()))?;
    let sw = switches(a, &sc)?;
    let metrics: Vec<String> = if a.metrics.is_empty() {
        DEFAULT_METRICS.iter().map(|m| m.to_string()).collect()
    } else {
        a.metrics.clone()
    };
    let e = attribution::experiment(
        &a.scenario,
        &a.from,
        &a.to,
        &sw,
        metrics.clone(),
        a.replicates,
        a.residents,
        a.ticks,
        a.seed,
        !a.no_twin,
    );
    let plan = plan::plan(e, Path::new("."), Overrides::default(), "linkage attribute").map_err(
        |errors| {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            Failure::input(lines.join("\n"))
        },
    )?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("runs").join(&plan.experiment.name));
    if !a.how.quiet {
        eprintln!(
            "attributing {} over {} to {} mechanisms: {} hybrids × {} replicates = {} runs",
            a.to,
            a.from,
            sw.len(),
            1usize << sw.len(),
            a.replicates,
            plan.runs.len()
        );
    }
    // CSV: the attribution reads runs.csv back.
    let csv = crate::experiment::sweep::Format::Csv;
    if !run_plan(&plan, &out, "linkage attribute", &a.how, csv)? {
        return Ok(());
    }
    let y = read_values(&out, &metrics, sw.len(), a.replicates)?;
    let Some(y) = y else {
        eprintln!(
            "note: not every hybrid has run yet (a shard); merge the shards with `linkage merge` and run this command again with --out on the merged folder"
        );
        return Ok(());
    };
    let flat = |y: &Vec<Vec<f64>>| {
        let first = y[0][0];
        y.iter().flatten().all(|v| *v == first)
    };
    let results: Vec<Attribution> = metrics
        .iter()
        .zip(&y)
        .filter_map(|(m, y)| {
            y.as_ref()
                .filter(|y| !flat(y))
                .map(|y| attribution::attribute(m, y, sw.len(), 3))
        })
        .collect();
    for (m, y) in metrics.iter().zip(&y) {
        match y {
            None => println!("{m}: empty in some runs; not attributed"),
            Some(y) if flat(y) => println!(
                "{m}: {} in every hybrid and replicate; nothing to attribute",
                y[0][0]
            ),
            Some(_) => {}
        }
    }
    let csv = attribution_csv(&results, &sw);
    let path = out.join("attribution.csv");
    crate::base::fs::write_atomic(&path, csv).map_err(|e| Failure {
        code: 1,
        message: format!("cannot write {}: {e}", path.display()),
    })?;
    print_table(&results, &sw, a);
    if !a.how.quiet {
        eprintln!("wrote {}", path.display());
    }
    a.report.write_into(&out)
}

/// Per metric, per replicate, the value at each grid point (in point order); `None` for
/// a metric empty in some run. `Ok(None)` when runs are missing.
#[allow(clippy::type_complexity)]
fn read_values(
    dir: &Path,
    metrics: &[String],
    k: usize,
    replicates: u32,
) -> Result<Option<Vec<Option<Vec<Vec<f64>>>>>, Failure> {
    let runs =
        analyze::read_runs(&dir.join(crate::experiment::sweep::RUNS)).map_err(|e| Failure {
            code: 1,
            message: e.to_string(),
        })?;
    let every: Vec<u64> = (0..replicates as u64).collect();
    let [block] = &runs.blocks[..] else {
        return Ok(None);
    };
    if block.points.len() != 1 << k
        || block
            .points
            .iter()
            .any(|p| !p.keys().copied().eq(every.iter().copied()))
    {
        return Ok(None);
    }
    let values = metrics
        .iter()
        .map(|m| {
            let mi = runs.metrics.iter().position(|c| c == m)?;
            let y: Vec<Vec<f64>> = every
                .iter()
                .map(|q| block.points.iter().map(|p| p[q][mi]).collect())
                .collect();
            (!y.iter().flatten().any(|v| v.is_nan())).then_some(y)
        })
        .collect();
    Ok(Some(values))
}

fn fmt_mean(m: &Mean) -> (String, String, String) {
    let f = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.6}"));
    (format!("{:.6}", m.mean), f(m.low), f(m.high))
}

/// `attribution.csv`: metric, part (from, total, a mechanism, or a pair `a × b` of
/// interaction), from_value, to_value, value, low, high.
fn attribution_csv(results: &[Attribution], sw: &[Switch]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "metric",
        "part",
        "kind",
        "from_value",
        "to_value",
        "value",
        "low",
        "high",
    ]);
    for r in results {
        let mut row = |part: &str, kind: &str, fv: String, tv: String, m: &Mean| {
            let (v, lo, hi) = fmt_mean(m);
            let _ = w.write_record([r.metric.as_str(), part, kind, &fv, &tv, &v, &lo, &hi]);
        };
        row(
            "from",
            "baseline",
            String::new(),
            String::new(),
            &r.from_value,
        );
        for (s, m) in sw.iter().zip(&r.shares) {
            row(&s.name, "shapley", s.from.to_string(), s.to.to_string(), m);
        }
        row(
            "total",
            "difference",
            String::new(),
            String::new(),
            &r.total,
        );
        for (i, j, m) in &r.pairs {
            let name = format!("{} × {}", sw[*i].name, sw[*j].name);
            row(&name, "interaction", String::new(), String::new(), m);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn print_table(results: &[Attribution], sw: &[Switch], a: &AttributeArgs) {
    let interval = |m: &Mean| match (m.low, m.high) {
        (Some(l), Some(h)) => format!("{:+.4} ({:+.4} to {:+.4})", m.mean, l, h),
        _ => format!("{:+.4}", m.mean),
    };
    for r in results {
        println!(
            "{}: {} {:.4}; with {} mechanism{} at {}'s values {:+.4}. Shapley values{}:",
            r.metric,
            a.from,
            r.from_value.mean,
            sw.len(),
            if sw.len() == 1 { "" } else { "s" },
            a.to,
            r.total.mean,
            if a.replicates >= 2 {
                format!(" (95% interval over {} replicates)", a.replicates)
            } else {
                " (1 replicate: no intervals)".to_string()
            }
        );
        let mut order: Vec<usize> = (0..sw.len()).collect();
        order.sort_by(|&x, &y| r.shares[y].mean.abs().total_cmp(&r.shares[x].mean.abs()));
        for i in order {
            println!("  {:<22} {}", sw[i].name, interval(&r.shares[i]));
        }
        println!(
            "  the values sum to {:+.6}, the difference {:+.6} (off by {:.1e}: rounding)",
            r.shares.iter().map(|s| s.mean).sum::<f64>(),
            r.total.mean,
            r.residual
        );
        for (i, j, m) in &r.pairs {
            println!(
                "  interaction {} × {}: {}",
                sw[*i].name,
                sw[*j].name,
                interval(m)
            );
        }
    }
}
