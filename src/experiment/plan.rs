//! From an experiment file to the list of runs: cells (scenario × regime × design point)
//! and replicates, each run with a seed derived from (experiment seed, cell, replicate).

use super::spec::{Design, Experiment};
use crate::base::rng::{Purpose, stream};
use crate::output::metrics::{HEADLINE, RESILIENCE_SUFFIXES, SUMMARY_COLUMNS};
use crate::scenario::Scenario;
use std::path::Path;
use toml::Value;

/// Overrides from the command line for quick looks.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Overrides {
    pub replicates: Option<u32>,
    pub ticks: Option<u32>,
    pub scale: Option<Scale>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// 5,000 residents.
    Small,
    /// The scenario's (or the experiment's) own size.
    Default,
    /// A whole prefecture-level city: 3,200,000 residents.
    Full,
}

/// One combination of scenario, regime and factor values.
#[derive(Clone, Debug)]
pub struct Cell {
    pub scenario_name: String,
    pub regime: String,
    /// The value of every factor in this cell (in the order of `Experiment::factors`).
    pub point: Vec<f64>,
    /// The scenario with overrides and factor values applied, holding only `regime`.
    pub scenario: Scenario,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub id: u64,
    pub cell: usize,
    pub replicate: u32,
    pub seed: u64,
}

pub struct Plan {
    pub experiment: Experiment,
    pub cells: Vec<Cell>,
    pub runs: Vec<Run>,
    /// The summary metrics recorded for every run, in column order.
    pub metrics: Vec<String>,
    /// Identifies everything that decides the runs' results (experiment, overrides,
    /// resolved scenarios, program version): a changed one is refused on resume.
    pub fingerprint: String,
    /// Things the user should know (e.g. shocks dropped by a shorter `ticks`).
    pub notes: Vec<String>,
}

/// Every metric a run can report, in `summary.csv` order.
pub fn all_metrics() -> Vec<String> {
    let mut m: Vec<String> = SUMMARY_COLUMNS
        .iter()
        .skip(3)
        .map(|(n, _)| n.to_string())
        .collect();
    for h in HEADLINE {
        for s in RESILIENCE_SUFFIXES {
            m.push(format!("{h}_{s}"));
        }
    }
    m
}

/// A path step.
enum Step {
    Key(String),
    Index(usize),
}

fn steps(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(b) = rest.find('[') {
            if b > 0 {
                out.push(Step::Key(rest[..b].to_string()));
            }
            rest = &rest[b..];
            while let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']').unwrap_or(r.len());
                out.push(Step::Index(r[..end].parse().unwrap_or(usize::MAX)));
                rest = r.get(end + 1..).unwrap_or("");
            }
        } else {
            out.push(Step::Key(rest.to_string()));
        }
    }
    out
}

/// The numeric value at `path`, mutably.
fn slot<'a>(v: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    let mut cur = v;
    for s in steps(path) {
        cur = match s {
            Step::Key(k) => cur.as_table_mut()?.get_mut(&k)?,
            Step::Index(i) => cur.as_array_mut()?.get_mut(i)?,
        };
    }
    match cur {
        Value::Integer(_) | Value::Float(_) => Some(cur),
        _ => None,
    }
}

/// The scenario path of a factor for `regime` (`mechanism.X` → `regimes.<regime>.X`).
fn scenario_path(path: &str, regime: &str) -> String {
    match path.strip_prefix("mechanism.") {
        Some(m) => format!("regimes.{regime}.{m}"),
        None => path.to_string(),
    }
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}

/// Read an experiment file and lay out its runs. Every problem is returned at once.
pub fn load(path: &Path, overrides: Overrides) -> Result<Plan, Vec<String>> {
    let label = path.display().to_string();
    let text =
        crate::base::input::read_text(path, "experiment file").map_err(|e| vec![e.to_string()])?;
    if text.trim().is_empty() {
        return Err(vec![format!(
            "{label}: is empty; an experiment needs name, seed, scenarios and replicates"
        )]);
    }
    let experiment: Experiment = toml::from_str(&text).map_err(|e| {
        let (at, line) = e.span().map_or((String::new(), String::new()), |sp| {
            let before = &text[..sp.start.min(text.len())];
            let n = before.matches('\n').count();
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let line = text.lines().nth(n).unwrap_or("").trim().to_string();
            (
                format!(":{}:{col}", n + 1),
                if line.is_empty() {
                    line
                } else {
                    format!(" (in `{line}`)")
                },
            )
        });
        vec![format!("{label}{at}: {}{line}", e.message().trim())]
    })?;
    plan(
        experiment,
        path.parent().unwrap_or(Path::new(".")),
        overrides,
        &label,
    )
}

/// Lay out the runs of an experiment whose scenario paths are relative to `dir`.
pub fn plan(mut e: Experiment, dir: &Path, o: Overrides, label: &str) -> Result<Plan, Vec<String>> {
    let mut errors = Vec::new();
    let mut bad = |m: String| errors.push(format!("{label}: {m}"));
    if let Some(r) = o.replicates {
        e.replicates = r;
    }
    if let Some(t) = o.ticks {
        e.ticks = Some(t);
    }
    match o.scale {
        Some(Scale::Small) => e.residents = Some(5_000),
        Some(Scale::Full) => e.residents = Some(3_200_000),
        _ => {}
    }
    if e.replicates == 0 {
        bad("replicates is 0; allowed: a whole number ≥ 1".into());
    }
    if e.scenarios.is_empty() {
        bad("scenarios is empty; allowed: one or more built-in names or .toml paths".into());
    }
    if e.seed > i64::MAX as u64 {
        bad(format!("seed is {}; allowed: 0 to {}", e.seed, i64::MAX));
    }
    let known = all_metrics();
    let metrics: Vec<String> = if e.metrics.is_empty() {
        known.clone()
    } else {
        e.metrics.clone()
    };
    for m in &metrics {
        if !known.contains(m) {
            bad(format!(
                "metrics names '{m}', which is not a metric; allowed: {}",
                known.join(", ")
            ));
        }
    }
    for (i, f) in e.factors.iter().enumerate() {
        if e.factors[..i].iter().any(|g| g.path == f.path) {
            bad(format!("factors[{i}] repeats the path '{}'", f.path));
        }
        match &e.design {
            Design::Grid {} | Design::Oat {} if f.values.is_empty() => bad(format!(
                "factors[{i}] ({}) has no values; a {} design needs values = [..]",
                f.path,
                if matches!(e.design, Design::Grid {}) {
                    "grid"
                } else {
                    "oat"
                }
            )),
            Design::Lhs { .. } => match f.range {
                Some([lo, hi]) if lo.is_finite() && hi.is_finite() && lo <= hi => {}
                _ => bad(format!(
                    "factors[{i}] ({}) needs range = [low, high] with low ≤ high for an lhs design",
                    f.path
                )),
            },
            _ => {}
        }
        if f.values.iter().any(|v| !v.is_finite()) {
            bad(format!(
                "factors[{i}] ({}) has a value that is not a finite number",
                f.path
            ));
        }
    }
    if let Design::Lhs { samples: 0 } = e.design {
        bad("design.samples is 0; allowed: a whole number ≥ 1".into());
    }
    // Design points.
    let points: Vec<Vec<Option<f64>>> = match &e.design {
        Design::Grid {} => {
            let mut pts: Vec<Vec<Option<f64>>> = vec![vec![]];
            for f in &e.factors {
                pts = pts
                    .into_iter()
                    .flat_map(|p| {
                        f.values
                            .iter()
                            .map(move |&v| [p.clone(), vec![Some(v)]].concat())
                    })
                    .collect();
            }
            pts
        }
        Design::Lhs { samples } => {
            let n = *samples as usize;
            let mut pts = vec![vec![None; e.factors.len()]; n];
            for (fi, f) in e.factors.iter().enumerate() {
                let [lo, hi] = f.range.unwrap_or([0.0, 0.0]);
                let mut perm: Vec<usize> = (0..n).collect();
                let mut s = stream(e.seed, Purpose::Design, fi as u64, 0);
                for i in (1..n).rev() {
                    perm.swap(i, s.below(i + 1));
                }
                for (i, p) in pts.iter_mut().enumerate() {
                    let u = stream(e.seed, Purpose::Design, fi as u64, i as u64 + 1).unit();
                    p[fi] = Some(lo + (perm[i] as f64 + u) / n as f64 * (hi - lo));
                }
            }
            pts
        }
        Design::Oat {} => {
            let mut pts = vec![vec![None; e.factors.len()]];
            for (fi, f) in e.factors.iter().enumerate() {
                for &v in &f.values {
                    let mut p = vec![None; e.factors.len()];
                    p[fi] = Some(v);
                    pts.push(p);
                }
            }
            pts
        }
    };
    // Cells.
    let mut cells = Vec::new();
    let mut notes = Vec::new();
    let mut fingerprint = format!(
        "linkage {}\n{}\n",
        env!("CARGO_PKG_VERSION"),
        toml::to_string(&e).unwrap_or_default()
    );
    for name in &e.scenarios {
        // Names are built-ins; anything that looks like a path is relative to the file.
        let is_path = name.ends_with(".toml") || name.contains('/');
        let target = if is_path {
            dir.join(name).display().to_string()
        } else {
            name.clone()
        };
        let mut base = match Scenario::load(&target) {
            Ok(s) => s,
            Err(err) => {
                for line in err.to_string().lines() {
                    bad(format!("scenarios: '{name}': {line}"));
                }
                continue;
            }
        };
        if let Some(t) = e.ticks {
            let before = base.shocks.len();
            base = base.with_ticks(t);
            if base.shocks.len() < before {
                notes.push(format!(
                    "scenario '{name}': {} shock(s) end after day {t} and are left out",
                    before - base.shocks.len()
                ));
            }
        }
        if let Some(n) = e.residents {
            base.run.residents = n;
        }
        let regimes = match base.select_regimes(&e.regimes) {
            Ok(r) => r,
            Err(msg) => {
                bad(format!("regimes: scenario '{name}': {msg}"));
                continue;
            }
        };
        for (regime, _) in regimes {
            let mut one = base.clone();
            one.regimes.retain(|k, _| *k == regime);
            let table = Value::try_from(&one).expect("scenario serialises");
            for p in &points {
                let mut t = table.clone();
                let mut point = Vec::with_capacity(p.len());
                let mut ok = true;
                for (f, v) in e.factors.iter().zip(p) {
                    let sp = scenario_path(&f.path, &regime);
                    match slot(&mut t, &sp) {
                        None => {
                            bad(format!(
                                "factor path '{}' is not a number in scenario '{name}' (looked for {sp})",
                                f.path
                            ));
                            ok = false;
                        }
                        Some(slot) => match v {
                            None => point.push(number(slot)),
                            Some(v) => {
                                // Whole-number fields take the rounded value, and runs.csv
                                // shows the value the run used.
                                let used = if matches!(slot, Value::Integer(_)) {
                                    v.round()
                                } else {
                                    *v
                                };
                                *slot = if matches!(slot, Value::Integer(_)) {
                                    Value::Integer(used as i64)
                                } else {
                                    Value::Float(used)
                                };
                                point.push(used);
                            }
                        },
                    }
                }
                if !ok {
                    break;
                }
                let scenario: Scenario = match t.try_into() {
                    Ok(s) => s,
                    Err(err) => {
                        bad(format!(
                            "a factor setting in scenario '{name}' cannot be used: {}",
                            err.message().trim()
                        ));
                        continue;
                    }
                };
                if let Err(err) = scenario.validate() {
                    for line in err.to_string().lines() {
                        bad(format!(
                            "the setting {point:?} of scenario '{name}', regime {regime}: {line}"
                        ));
                    }
                    continue;
                }
                fingerprint.push_str(&scenario.to_toml());
                cells.push(Cell {
                    scenario_name: name.clone(),
                    regime: regime.clone(),
                    point,
                    scenario,
                });
            }
        }
    }
    errors.dedup();
    if !errors.is_empty() {
        return Err(errors);
    }
    let runs = cells
        .iter()
        .enumerate()
        .flat_map(|(c, _)| (0..e.replicates).map(move |r| (c, r)))
        .enumerate()
        .map(|(id, (cell, replicate))| Run {
            id: id as u64,
            cell,
            replicate,
            seed: stream(e.seed, Purpose::Sweep, cell as u64, replicate as u64).word()
                & i64::MAX as u64,
        })
        .collect();
    Ok(Plan {
        experiment: e,
        cells,
        runs,
        metrics,
        fingerprint: format!("{:016x}", crate::base::hash::fnv1a(fingerprint.as_bytes())),
        notes,
    })
}

