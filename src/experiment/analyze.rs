//! Sensitivity indices from a finished `morris` or `sobol` sweep (`linkage analyze`).
//!
//! What it reads, so that indices can be computed for any runs that follow it:
//!
//! - `experiment.toml`: the experiment as run. Its `[design]` (kind, `trajectories` and
//!   `levels`, or `samples` and `second_order`), `seed` and `[[factors]]` (in order, each
//!   with its `range`) rebuild the design's points exactly;
//! - `runs.csv` (or, in a folder finished as Parquet alone, `runs.parquet`): one row per
//!   run with the columns `cell`, `replicate`, `scenario`,
//!   `regime`, then any others, and one column per metric; every point must have each
//!   of its replicates 0 … R − 1 once, and when the folder has a `sweep.lock` its run
//!   count must match the rows. Cells are numbered scenario
//!   by scenario, regime by regime, then point by point in the design's order, so the
//!   point of a cell is its place within its (scenario, regime) block.
//!
//! A point's output is the mean of its replicates (which share their seed across the
//! points: common random numbers). Each (scenario, regime, metric) is analysed on its
//! own. A metric that does not vary over the design, or is empty in some run (a value a
//! run cannot define), has no indices and is reported as such.

use super::sensitivity::{Estimate, SensitivityError, morris, saltelli};
use super::spec::{Design, Experiment};
use super::sweep::{EXPERIMENT, RUNS};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One index of one factor (or pair) for one metric.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct IndexRow {
    pub scenario: String,
    pub regime: String,
    /// The factor's path, or `a × b` for a second-order index.
    pub factor: String,
    pub metric: String,
    /// `mu`, `mu_star`, `sigma` (Morris); `first`, `total`, `second` (Sobol).
    pub index: &'static str,
    pub estimate: Estimate,
    /// Whether `estimate` has a bootstrap interval (μ and σ do not).
    pub interval: bool,
}

/// A metric with no indices in a block, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Flat {
    pub scenario: String,
    pub regime: String,
    pub metric: String,
    /// "does not vary over the design" or "is empty in some runs" (a metric a run
    /// cannot define, such as a shock's loss when the shock is cut off).
    pub why: &'static str,
}

/// What an analysis found.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    pub design: &'static str,
    pub rows: Vec<IndexRow>,
    pub flat: Vec<Flat>,
    /// Replicates averaged at each point.
    pub replicates: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error("{0}")]
    Input(#[from] crate::base::input::InputError),
    #[error("{path}: {problem}")]
    Content { path: PathBuf, problem: String },
    #[error(
        "{dir}: the sweep's design is {kind}; analyze needs a morris or sobol design (kind = \"morris\" or \"sobol\" in [design])"
    )]
    Design { dir: PathBuf, kind: &'static str },
    #[error("{dir}: {problem}")]
    Incomplete { dir: PathBuf, problem: String },
    #[error("{0}")]
    Sensitivity(#[from] SensitivityError),
}

/// Analyse the sweep in `dir`, with `resamples` bootstrap resamples for the intervals.
pub fn analyze(dir: &Path, resamples: usize) -> Result<Analysis, AnalyzeError> {
    let path = dir.join(EXPERIMENT);
    let text = crate::base::input::read_text(&path, "experiment file")?;
    let e: Experiment = toml::from_str(&text).map_err(|err| AnalyzeError::Content {
        path: path.clone(),
        problem: err.to_string().lines().next().unwrap_or("").to_string(),
    })?;
    enum Kind {
        Morris(morris::Design),
        Sobol(saltelli::Design),
    }
    let k = e.factors.len();
    let kind = match e.design {
        Design::Morris {
            trajectories,
            levels,
        } => Kind::Morris(morris::Design::new(
            k,
            trajectories as usize,
            levels as usize,
            e.seed,
        )?),
        Design::Sobol {
            samples,
            second_order,
        } => Kind::Sobol(saltelli::Design::new(k, samples as usize, second_order)?),
        ref other => {
            return Err(AnalyzeError::Design {
                dir: dir.to_path_buf(),
                kind: other.kind(),
            });
        }
    };
    let points = match &kind {
        Kind::Morris(d) => d.runs(),
        Kind::Sobol(d) => d.runs(),
    };
    let runs = read_runs(&dir.join(RUNS))?;
    let incomplete = |problem: String| AnalyzeError::Incomplete {
        dir: dir.to_path_buf(),
        problem,
    };
    if runs.blocks.is_empty() {
        return Err(incomplete(
            "runs.csv holds no run (is the sweep finished?)".into(),
        ));
    }
    // A sweep's lock says how many runs it has; a folder made by hand may have none.
    if let Ok(lock) = std::fs::read_to_string(dir.join(super::sweep::LOCK))
        && let Some(total) = lock.lines().find_map(|l| {
            l.strip_prefix("runs ")
                .and_then(|n| n.trim().parse::<usize>().ok())
        })
        && total != runs.rows
    {
        return Err(incomplete(format!(
            "runs.csv has {} of the sweep's {total} runs (is the sweep finished, or were shards not merged?)",
            runs.rows
        )));
    }
    let mut rows = Vec::new();
    let mut flat = Vec::new();
    for block in &runs.blocks {
        if block.points.len() != points {
            return Err(incomplete(format!(
                "{} {}: {} design points in runs.csv, the design has {points} (is the sweep finished, or were shards not merged?)",
                block.scenario,
                block.regime,
                block.points.len()
            )));
        }
        for (mi, metric) in runs.metrics.iter().enumerate() {
            let mut y = Vec::with_capacity(points);
            for (p, reps) in block.points.iter().enumerate() {
                let numbers: Vec<u64> = reps.keys().copied().collect();
                if numbers != (0..e.replicates as u64).collect::<Vec<_>>() {
                    return Err(incomplete(format!(
                        "{} {}: design point {p} has {} of replicates 0 to {} (is the sweep finished?)",
                        block.scenario,
                        block.regime,
                        reps.len(),
                        e.replicates.saturating_sub(1)
                    )));
                }
                y.push(reps.values().map(|r| r[mi]).sum::<f64>() / reps.len() as f64);
            }
            let row =
                |factor: String, index: &'static str, estimate: Estimate, interval| IndexRow {
                    scenario: block.scenario.clone(),
                    regime: block.regime.clone(),
                    factor,
                    metric: metric.clone(),
                    index,
                    estimate,
                    interval,
                };
            let exact = |v: f64| Estimate {
                value: v,
                low: v,
                high: v,
            };
            let skip = if y.iter().any(|v| v.is_nan()) {
                Some("is empty in some runs")
            } else if y.iter().all(|v| *v == y[0]) {
                Some("does not vary over the design")
            } else {
                None
            };
            if let Some(why) = skip {
                flat.push(Flat {
                    scenario: block.scenario.clone(),
                    regime: block.regime.clone(),
                    metric: metric.clone(),
                    why,
                });
                continue;
            }
            let seed = e.seed ^ (mi as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            match &kind {
                Kind::Morris(d) => {
                    for (f, x) in e.factors.iter().zip(d.analyze(&y, resamples, seed)?) {
                        rows.push(row(f.path.clone(), "mu", exact(x.mu), false));
                        rows.push(row(f.path.clone(), "mu_star", x.mu_star, true));
                        rows.push(row(f.path.clone(), "sigma", exact(x.sigma), false));
                    }
                }
                Kind::Sobol(d) => {
                    let an = match d.analyze(&y, resamples, seed) {
                        Ok(an) => an,
                        Err(SensitivityError::NoVariance) => {
                            flat.push(Flat {
                                scenario: block.scenario.clone(),
                                regime: block.regime.clone(),
                                metric: metric.clone(),
                                why: "does not vary over the design",
                            });
                            continue;
                        }
                        Err(err) => return Err(err.into()),
                    };
                    for (f, x) in e.factors.iter().zip(&an.factors) {
                        rows.push(row(f.path.clone(), "first", x.first, true));
                        rows.push(row(f.path.clone(), "total", x.total, true));
                    }
                    for &(i, j, est) in &an.second {
                        let name = format!("{} × {}", e.factors[i].path, e.factors[j].path);
                        rows.push(row(name, "second", est, true));
                    }
                }
            }
        }
    }
    Ok(Analysis {
        design: e.design.kind(),
        rows,
        flat,
        replicates: e.replicates,
    })
}

/// The runs of one (scenario, regime): per design point (cells in order), each
/// replicate's metrics.
pub(crate) struct Block {
    pub scenario: String,
    pub regime: String,
    pub points: Vec<Replicates>,
}

/// A cell's replicates by number, each its metrics in column order (NaN where a run
/// left a metric empty).
pub(crate) type Replicates = BTreeMap<u64, Vec<f64>>;

/// A `runs.csv` read back: its metric columns and its (scenario, regime) blocks.
pub(crate) struct Runs {
    pub metrics: Vec<String>,
    /// Rows read.
    pub rows: usize,
    pub blocks: Vec<Block>,
}

/// Read `runs.csv`: the metric columns are those after the factor columns, found as
/// the columns the summary metrics name (every column that is not a key or a factor).
pub(crate) fn read_runs(path: &Path) -> Result<Runs, AnalyzeError> {
    // runs.csv, or runs.parquet read back as its text (a sweep finished as Parquet).
    let path = &crate::output::parquet::locate(path).unwrap_or(path.to_path_buf());
    let content = |problem: String| AnalyzeError::Content {
        path: path.clone(),
        problem,
    };
    let file = std::fs::File::open(path).map_err(|e| content(e.to_string()))?;
    let text = crate::output::parquet::read_text(path, file).map_err(|e| content(e.to_string()))?;
    let mut rd = csv::Reader::from_reader(text);
    let header: Vec<String> = rd
        .headers()
        .map_err(|e| content(e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let col = |n: &str| {
        header
            .iter()
            .position(|h| h == n)
            .ok_or_else(|| content(format!("no column '{n}'")))
    };
    let (cell, replicate, scenario, regime) = (
        col("cell")?,
        col("replicate")?,
        col("scenario")?,
        col("regime")?,
    );
    let known = super::plan::all_metrics();
    let metric_cols: Vec<usize> = (0..header.len())
        .filter(|&i| known.contains(&header[i]))
        .collect();
    if metric_cols.is_empty() {
        return Err(content("no metric columns".into()));
    }
    // (scenario, regime) in order of first appearance; cells by number within each.
    let mut order: Vec<(String, String)> = Vec::new();
    let mut rows = 0usize;
    let mut cells: BTreeMap<(String, String), BTreeMap<u64, Replicates>> = BTreeMap::new();
    for (line, rec) in rd.records().enumerate() {
        let rec = rec.map_err(|e| content(e.to_string()))?;
        let at = |i: usize| rec.get(i).unwrap_or("");
        let c: u64 = at(cell).parse().map_err(|_| {
            content(format!(
                "line {}: cell '{}' is not a number",
                line + 2,
                at(cell)
            ))
        })?;
        let r: u64 = at(replicate).parse().map_err(|_| {
            content(format!(
                "line {}: replicate '{}' is not a number",
                line + 2,
                at(replicate)
            ))
        })?;
        rows += 1;
        let key = (at(scenario).to_string(), at(regime).to_string());
        if !cells.contains_key(&key) {
            order.push(key.clone());
        }
        let values = metric_cols
            .iter()
            .map(|&i| {
                if at(i).is_empty() {
                    // Undefined in this run; the metric is left out of the analysis.
                    return Ok(f64::NAN);
                }
                at(i)
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        content(format!(
                            "line {}: {} is '{}', not a number",
                            line + 2,
                            header[i],
                            at(i)
                        ))
                    })
            })
            .collect::<Result<Vec<f64>, _>>()?;
        let point = cells.entry(key).or_default().entry(c).or_default();
        if point.insert(r, values).is_some() {
            return Err(content(format!(
                "line {}: cell {c}, replicate {r} appears twice",
                line + 2
            )));
        }
    }
    let blocks = order
        .into_iter()
        .map(|key| {
            let points = cells
                .remove(&key)
                .unwrap_or_default()
                .into_values()
                .collect();
            Block {
                scenario: key.0,
                regime: key.1,
                points,
            }
        })
        .collect();
    Ok(Runs {
        metrics: metric_cols.iter().map(|&i| header[i].clone()).collect(),
        rows,
        blocks,
    })
}

/// `indices.csv`: scenario, regime, factor, metric, index, estimate, low, high (empty
/// for the indices without an interval).
pub fn indices_csv(a: &Analysis) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "scenario", "regime", "factor", "metric", "index", "estimate", "low", "high",
    ]);
    for r in &a.rows {
        let num = |v: f64| format!("{v:.6}");
        let (low, high) = if r.interval {
            (num(r.estimate.low), num(r.estimate.high))
        } else {
            (String::new(), String::new())
        };
        let _ = w.write_record([
            r.scenario.as_str(),
            &r.regime,
            &r.factor,
            &r.metric,
            r.index,
            &num(r.estimate.value),
            &low,
            &high,
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The names of the indices, as `indices.csv` writes them.
pub const INDICES: [&str; 6] = ["mu", "mu_star", "sigma", "first", "total", "second"];

/// The (scenario, regime, metric) blocks of `rows`, in order of first appearance.
pub fn blocks(rows: &[IndexRow]) -> Vec<(&str, &str, &str)> {
    let mut out: Vec<(&str, &str, &str)> = Vec::new();
    for r in rows {
        let b = (r.scenario.as_str(), r.regime.as_str(), r.metric.as_str());
        if !out.contains(&b) {
            out.push(b);
        }
    }
    out
}

/// One block's index rows of one index (`first`, `mu_star`, …).
pub fn of_index<'a>(
    rows: &'a [IndexRow],
    (s, g, m): (&'a str, &'a str, &'a str),
    index: &'a str,
) -> impl Iterator<Item = &'a IndexRow> + 'a {
    rows.iter()
        .filter(move |r| r.scenario == s && r.regime == g && r.metric == m && r.index == index)
}

/// One block's findings in words, a line per factor, by the main index (S1 or μ*),
/// largest first: for Sobol, "X explains 41% (35–47%) of the variance; with its
/// interactions 55% (50–60%)" ("of the variance of M" when `named`); for Morris,
/// "X: μ* 0.0123 (0.0100–0.0150), σ 0.0040".
pub fn block_words(
    design: &str,
    rows: &[IndexRow],
    block: (&str, &str, &str),
    named: bool,
) -> Vec<String> {
    let pct = |v: f64| format!("{:.0}%", 100.0 * v);
    let mut out = Vec::new();
    if design == "sobol" {
        let of = if named {
            format!(" of {}", block.2)
        } else {
            String::new()
        };
        let mut firsts: Vec<&IndexRow> = of_index(rows, block, "first").collect();
        firsts.sort_by(|x, y| y.estimate.value.total_cmp(&x.estimate.value));
        for f in firsts {
            let t = of_index(rows, block, "total").find(|t| t.factor == f.factor);
            let (e, te) = (f.estimate, t.map(|t| t.estimate));
            let mut line = format!(
                "{} explains {} ({}–{}) of the variance{of}",
                f.factor,
                pct(e.value),
                pct(e.low),
                pct(e.high)
            );
            if let Some(te) = te {
                line.push_str(&format!(
                    "; with its interactions {} ({}–{})",
                    pct(te.value),
                    pct(te.low),
                    pct(te.high)
                ));
            }
            out.push(line);
        }
    } else {
        let mut stars: Vec<&IndexRow> = of_index(rows, block, "mu_star").collect();
        stars.sort_by(|x, y| y.estimate.value.total_cmp(&x.estimate.value));
        for f in stars {
            let sigma = of_index(rows, block, "sigma").find(|t| t.factor == f.factor);
            out.push(format!(
                "{}: μ* {:.4} ({:.4}–{:.4}), σ {:.4}",
                f.factor,
                f.estimate.value,
                f.estimate.low,
                f.estimate.high,
                sigma.map_or(f64::NAN, |s| s.estimate.value)
            ));
        }
    }
    out
}

/// The findings in words, one line each: for Sobol, "X explains 41% (35–47%) of the
/// variance of M; with its interactions 55% (50–60%)"; for Morris, the factors by μ*.
pub fn in_words(a: &Analysis) -> Vec<String> {
    let mut out = Vec::new();
    for b in blocks(&a.rows) {
        out.push(format!("{} ({}, {}):", b.2, b.0, b.1));
        out.extend(
            block_words(a.design, &a.rows, b, false)
                .into_iter()
                .map(|l| format!("  {l}")),
        );
    }
    for f in &a.flat {
        out.push(format!(
            "{} ({}, {}): {}; no indices",
            f.metric, f.scenario, f.regime, f.why
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::sensitivity::known::{ishigami, ishigami_indices};
    use super::*;

    /// A sweep folder whose `runs.csv` holds Ishigami's function at a Sobol design's
    /// points (two replicates each, one a little above and one below, so their mean is
    /// the function), laid out as `linkage sweep` lays out runs.
    fn ishigami_sweep(dir: &Path, samples: usize) {
        let exp = format!(
            "name = \"ishigami\"\nseed = 3\nscenarios = [\"xcity-flood\"]\nregimes = [\"linkage\"]\nreplicates = 2\nmetrics = [\"solution_rate\"]\n\n[design]\nkind = \"sobol\"\nsamples = {samples}\nsecond_order = true\n\n[[factors]]\npath = \"a\"\nrange = [0.0, 1.0]\n\n[[factors]]\npath = \"b\"\nrange = [0.0, 1.0]\n\n[[factors]]\npath = \"c\"\nrange = [0.0, 1.0]\n"
        );
        std::fs::write(dir.join(EXPERIMENT), exp).unwrap();
        let d = saltelli::Design::new(3, samples, true).unwrap();
        let mut csv = String::from("run,cell,replicate,seed,scenario,regime,a,b,c,solution_rate\n");
        let mut run = 0;
        for (cell, x) in d.points.iter().enumerate() {
            let y = ishigami(x, 7.0, 0.1);
            for (rep, dy) in [(0, 0.25), (1, -0.25)] {
                csv.push_str(&format!(
                    "{run},{cell},{rep},1,xcity-flood,linkage,{},{},{},{}\n",
                    x[0],
                    x[1],
                    x[2],
                    y + dy
                ));
                run += 1;
            }
        }
        std::fs::write(dir.join(RUNS), csv).unwrap();
    }

    #[test]
    fn a_sobol_sweep_of_ishigami_gives_its_indices() {
        let tmp = tempfile::tempdir().unwrap();
        ishigami_sweep(tmp.path(), 2048);
        let a = analyze(tmp.path(), 100).unwrap();
        let (s, st, s13) = ishigami_indices(7.0, 0.1);
        let get = |f: &str, i: &str| {
            a.rows
                .iter()
                .find(|r| r.factor == f && r.index == i)
                .unwrap()
                .estimate
                .value
        };
        // The same numbers as the estimator on the function itself: the cells were
        // mapped back to the design's points in order.
        let d = saltelli::Design::new(3, 2048, true).unwrap();
        let y: Vec<f64> = d.points.iter().map(|x| ishigami(x, 7.0, 0.1)).collect();
        let direct = d.analyze(&y, 100, 3).unwrap();
        for (i, f) in ["a", "b", "c"].iter().enumerate() {
            assert!((get(f, "first") - direct.factors[i].first.value).abs() < 1e-9);
            assert!((get(f, "total") - direct.factors[i].total.value).abs() < 1e-9);
            assert!(
                (get(f, "first") - s[i]).abs() < 0.02,
                "{f}: {}",
                get(f, "first")
            );
            assert!(
                (get(f, "total") - st[i]).abs() < 0.02,
                "{f}: {}",
                get(f, "total")
            );
        }
        assert!((get("a × c", "second") - s13).abs() < 0.03);
        let csv = indices_csv(&a);
        assert_eq!(csv.lines().count(), 1 + 3 * 2 + 3);
        assert!(csv.starts_with("scenario,regime,factor,metric,index,estimate,low,high\n"));
        let words = in_words(&a).join("\n");
        assert!(words.contains("b explains 44%"), "{words}");
    }

    #[test]
    fn unfinished_and_wrong_sweeps_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        ishigami_sweep(tmp.path(), 8);
        // One run missing: a point short of a replicate.
        let runs = std::fs::read_to_string(tmp.path().join(RUNS)).unwrap();
        let cut: Vec<&str> = runs.lines().collect();
        std::fs::write(tmp.path().join(RUNS), cut[..cut.len() - 1].join("\n")).unwrap();
        let err = analyze(tmp.path(), 0).unwrap_err().to_string();
        assert!(err.contains("1 of replicates 0 to 1"), "{err}");
        // A replicate standing in for a missing one.
        let mut twice: Vec<String> = cut.iter().map(|l| l.to_string()).collect();
        let n = twice.len();
        twice[n - 1] = twice[n - 2].clone();
        std::fs::write(tmp.path().join(RUNS), twice.join("\n")).unwrap();
        let err = analyze(tmp.path(), 0).unwrap_err().to_string();
        assert!(err.contains("appears twice"), "{err}");
        // Only the header: a sweep killed before its first run finished.
        std::fs::write(tmp.path().join(RUNS), cut[0]).unwrap();
        let err = analyze(tmp.path(), 0).unwrap_err().to_string();
        assert!(err.contains("holds no run"), "{err}");
        // The lock says how many runs there are.
        std::fs::write(tmp.path().join(RUNS), cut.join("\n")).unwrap();
        std::fs::write(
            tmp.path().join(crate::experiment::sweep::LOCK),
            "fingerprint 0\nruns 1000\nshard all\n",
        )
        .unwrap();
        let err = analyze(tmp.path(), 0).unwrap_err().to_string();
        assert!(err.contains("of the sweep's 1000 runs"), "{err}");
        std::fs::remove_file(tmp.path().join(crate::experiment::sweep::LOCK)).unwrap();
        // Whole points missing.
        std::fs::write(tmp.path().join(RUNS), cut[..cut.len() - 4].join("\n")).unwrap();
        let err = analyze(tmp.path(), 0).unwrap_err().to_string();
        assert!(err.contains("design points in runs.csv"), "{err}");
        // A grid sweep has no indices.
        let exp = std::fs::read_to_string(tmp.path().join(EXPERIMENT)).unwrap();
        let grid = exp
            .replace(
                "kind = \"sobol\"\nsamples = 8\nsecond_order = true",
                "kind = \"grid\"",
            )
            .replace("range = [0.0, 1.0]", "values = [0.5]");
        std::fs::write(tmp.path().join(EXPERIMENT), grid).unwrap();
        let err = analyze(tmp.path(), 0).unwrap_err().to_string();
        assert!(err.contains("design is grid"), "{err}");
        // No folder.
        let err = analyze(&tmp.path().join("nowhere"), 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("experiment"), "{err}");
    }
}
