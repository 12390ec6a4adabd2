//! From an experiment file to the list of runs: cells (scenario × regime × design point)
//! and replicates, each run with a seed derived from (experiment seed, cell, replicate).
//!
//! The steps of [`plan`]: apply the command line's overrides; check the experiment's own
//! keys; lay out the design points; for each scenario, load it as run (`ticks`,
//! `residents`), then for each regime and point set the factors and check the cell's
//! scenario; number and seed the runs. Every problem is collected, so the user sees all
//! of them at once, each as one line ([`PlanError`]).

use super::sensitivity::{SensitivityError, morris, saltelli};
use super::spec::{Design, Experiment};
use crate::base::input::{read_text, toml_position};
use crate::base::rng::{Purpose, stream};
use crate::output::metrics::Summary;
use crate::scenario::Scenario;
use std::ops::Range;
use std::path::Path;
use toml::Value;

/// Overrides from the command line for quick looks.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Overrides {
    pub replicates: Option<u32>,
    pub ticks: Option<u32>,
    pub scale: Option<Scale>,
}

/// A population override for quick looks (`linkage sweep --scale`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    /// The k-th entry of `experiment.scenarios` as run: after the experiment's `ticks`
    /// and `residents`, before factors, with all its regimes (a sweep folder records
    /// each as `scenario-<k>.toml`).
    pub scenarios: Vec<Scenario>,
}

/// Every metric a run can report, in `summary.csv` order: its columns after `regime`,
/// `residents` and `ticks`.
pub fn all_metrics() -> Vec<String> {
    let mut m = Summary::header().split_off(3);
    // A label, not a number: the experiment's `twin` decides it for every run.
    m.retain(|n| n != "resilience_reference");
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

/// Set the number at `path` (experiment-factor syntax: `a.b`, `list[i].c`) of a
/// scenario table to `v`, rounded when the field is a whole number; returns the value
/// set, or `None` when `path` is not a number there. The one setter of sweeps and of
/// `linkage params`.
pub fn set_number(t: &mut Value, path: &str, v: f64) -> Option<f64> {
    let slot = slot(t, path)?;
    // Whole-number fields take the rounded value, and runs.csv shows the value the run
    // used.
    let whole = matches!(slot, Value::Integer(_));
    let used = if whole { v.round() } else { v };
    *slot = if whole {
        Value::Integer(used as i64)
    } else {
        Value::Float(used)
    };
    Some(used)
}

/// Whether the number at `path` is a whole-number field (it takes rounded values).
pub fn is_whole(t: &mut Value, path: &str) -> bool {
    matches!(slot(t, path), Some(Value::Integer(_)))
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

/// Why an experiment cannot be laid out. Each is one line; [`load`] and [`plan`] return
/// every problem they find at once.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// Not a regular file, too large, unreadable or not UTF-8.
    #[error(transparent)]
    Input(#[from] crate::base::input::InputError),
    /// `needs` says what the file must hold.
    #[error("{file}: is empty; {needs}")]
    Empty { file: String, needs: &'static str },
    /// Not valid TOML, or not the experiment's shape: `at` is `:line:column` (or empty),
    /// `context` the text of that line as ` (in `…`)` (or empty).
    #[error("{file}{at}: {message}{context}")]
    Toml {
        file: String,
        at: String,
        message: String,
        context: String,
    },
    #[error("{file}: {problem}")]
    Invalid { file: String, problem: Problem },
}

/// A problem with a well-formed experiment (or a scenario it names). Each message starts
/// with the dotted path of the offending key in the experiment file (`replicates: …`,
/// `factors[2].values: …`).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("replicates: is 0; allowed: a whole number ≥ 1")]
    NoReplicates,
    #[error("scenarios: is empty; allowed: one or more built-in names or .toml paths")]
    NoScenarios,
    #[error("seed: is {0}; allowed: 0 to {max}", max = i64::MAX)]
    Seed(u64),
    #[error("metrics: names '{name}', which is not a metric; allowed: {}", allowed.join(", "))]
    UnknownMetric { name: String, allowed: Vec<String> },
    #[error("factors[{index}].path: repeats the path '{path}' of an earlier factor")]
    RepeatedFactor { index: usize, path: String },
    #[error("factors[{index}].values: is empty ({path}); a {design} design needs values = [..]")]
    NoValues {
        index: usize,
        path: String,
        design: &'static str,
    },
    #[error(
        "factors[{index}].range: is missing or not [low, high] with low ≤ high ({path}); a {design} design needs it"
    )]
    NoRange {
        index: usize,
        path: String,
        design: &'static str,
    },
    #[error("factors[{index}].values: has a value that is not a finite number ({path})")]
    NotFinite { index: usize, path: String },
    #[error("design.samples: is 0; allowed: a whole number ≥ 1")]
    NoSamples,
    #[error("{key}: {0}", key = .0.key())]
    Sensitivity(SensitivityError),
    /// One line of what is wrong with a scenario (it may have several).
    #[error("scenarios: '{name}': {line}")]
    Scenario { name: String, line: String },
    #[error("regimes: scenario '{name}': {message}")]
    Regime {
        name: String,
        #[source]
        message: crate::scenario::UnknownRegime,
    },
    #[error(
        "factors[{index}].path: '{path}' is not a number in scenario '{scenario}' (looked for {looked_for})"
    )]
    NotANumber {
        index: usize,
        path: String,
        scenario: String,
        looked_for: String,
    },
    #[error("factors: a setting in scenario '{scenario}' cannot be used: {message}")]
    Unusable { scenario: String, message: String },
    /// One line of what the scenario checks refuse in a cell.
    #[error(
        "factors: the setting [{}] of scenario '{scenario}', regime {regime}: {line}",
        point.iter().map(|&v| crate::base::num::given(v)).collect::<Vec<_>>().join(", ")
    )]
    Refused {
        point: Vec<f64>,
        scenario: String,
        regime: String,
        line: String,
    },
}

/// Read an experiment file and lay out its runs. Every problem is returned at once.
pub fn load(path: &Path, overrides: Overrides) -> Result<Plan, Vec<PlanError>> {
    let label = path.display().to_string();
    let experiment = read(path, &label).map_err(|e| vec![e])?;
    plan(
        experiment,
        path.parent().unwrap_or(Path::new(".")),
        overrides,
        &label,
    )
}

/// The experiment in the file at `path`: its first TOML problem, located.
fn read(path: &Path, label: &str) -> Result<Experiment, PlanError> {
    read_toml(
        path,
        label,
        "experiment file",
        "an experiment needs name, seed, scenarios and replicates",
    )
}

/// The `what` (e.g. "experiment file") at `path` read as `T`: its first TOML problem,
/// located (file, line and column, and the line's text). `needs` says what an empty file
/// lacks.
pub(crate) fn read_toml<T: serde::de::DeserializeOwned>(
    path: &Path,
    label: &str,
    what: &str,
    needs: &'static str,
) -> Result<T, PlanError> {
    let file = label.to_string();
    let text = read_text(path, what)?;
    if text.trim().is_empty() {
        return Err(PlanError::Empty { file, needs });
    }
    toml::from_str(&text).map_err(|e| {
        let message = e.message().trim().to_string();
        let span = e.span().map(|sp| unknown_key_at(&text, &message, sp));
        let (at, hint) = toml_position(&text, span);
        let (at, context) = at.map_or((String::new(), String::new()), |(n, col)| {
            let line = text.lines().nth(n - 1).unwrap_or("").trim();
            (format!(":{n}:{col}"), context_of(line))
        });
        PlanError::Toml {
            file,
            at,
            message: message + hint,
            context,
        }
    })
}

/// The longest line shown in a TOML error's context, in characters.
const CONTEXT_CHARS: usize = 60;

/// A TOML error's context: ` (in `LINE`)`, the line cut to [`CONTEXT_CHARS`], or empty.
fn context_of(line: &str) -> String {
    if line.is_empty() {
        return String::new();
    }
    let mut shown: String = line.chars().take(CONTEXT_CHARS).collect();
    if shown.len() < line.len() {
        shown.push('…');
    }
    format!(" (in `{shown}`)")
}

/// The span of an error inside the tagged `[design]` table, moved from the table's
/// header (where serde reports it) onto its key: the key named by "unknown field
/// `KEY`", or the key whose value an "invalid type" or "invalid value" error shows.
fn unknown_key_at(text: &str, message: &str, span: Range<usize>) -> Range<usize> {
    let Ok(doc) = toml_edit::Document::parse(text) else {
        return span;
    };
    if let Some(key) = message
        .strip_prefix("unknown field `")
        .and_then(|m| m.split('`').next())
    {
        return key_of_table_at(doc.as_table(), &|k, _| k == key, span.start).unwrap_or(span);
    }
    // A table or an array shows no value, only its kind.
    let kind = |k: &str| message.starts_with(&format!("invalid type: {k},"));
    if kind("map") || kind("sequence") {
        let map = kind("map");
        let of_kind = |_: &str, item: &toml_edit::Item| match item {
            toml_edit::Item::Value(toml_edit::Value::InlineTable(_)) => map,
            toml_edit::Item::Value(toml_edit::Value::Array(_)) => !map,
            _ => false,
        };
        return key_of_table_at(doc.as_table(), &of_kind, span.start).unwrap_or(span);
    }
    let Some(shown) = shown_value(message) else {
        return span;
    };
    let matches = |_: &str, item: &toml_edit::Item| {
        item.as_value().and_then(|v| v.span()).is_some_and(|sp| {
            let own = text.get(sp).unwrap_or("").trim().replace('_', "");
            let own = own.as_str();
            own == shown
                || match (own.parse::<f64>(), shown.parse::<f64>()) {
                    (Ok(a), Ok(b)) => a == b || a.is_nan() && b.is_nan(),
                    _ => own.eq_ignore_ascii_case(&shown),
                }
        })
    };
    key_of_table_at(doc.as_table(), &matches, span.start).unwrap_or(span)
}

/// The value an "invalid type: floating point `NaN`, expected u32" (or `invalid value:
/// …`) error shows: between backticks, or a quoted string with its quotes.
fn shown_value(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?;
    let rest = rest.split(", expected").next()?;
    if let Some(i) = rest.find('`') {
        return rest[i + 1..].split('`').next().map(String::from);
    }
    rest.find('"').map(|i| rest[i..].to_string())
}

/// The span of the first key (at any depth below `t`) for which `wanted` holds, in the
/// table whose header, or inline text, holds byte `at`.
fn key_of_table_at(
    t: &dyn toml_edit::TableLike,
    wanted: &dyn Fn(&str, &toml_edit::Item) -> bool,
    at: usize,
) -> Option<Range<usize>> {
    for (_, item) in t.iter() {
        let tables: Vec<(Option<Range<usize>>, &dyn toml_edit::TableLike)> = match item {
            toml_edit::Item::Table(tab) => vec![(tab.span(), tab)],
            toml_edit::Item::ArrayOfTables(a) => {
                a.iter().map(|tab| (tab.span(), tab as _)).collect()
            }
            toml_edit::Item::Value(toml_edit::Value::InlineTable(it)) => vec![(it.span(), it)],
            _ => vec![],
        };
        for (span, tab) in tables {
            let found = if span.is_some_and(|sp| sp.contains(&at)) {
                tab.iter()
                    .find(|(k, v)| wanted(k, v))
                    .and_then(|(k, _)| tab.get_key_value(k))
                    .and_then(|(k, _)| k.span())
            } else {
                key_of_table_at(tab, wanted, at)
            };
            if found.is_some() {
                return found;
            }
        }
    }
    None
}

/// Apply the command line's overrides to the experiment.
fn apply_overrides(e: &mut Experiment, o: Overrides) {
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
}

/// The checks of the experiment's own keys (not its scenarios), in file order.
fn check_keys(e: &Experiment, metrics: &[String], problems: &mut Vec<Problem>) {
    if e.replicates == 0 {
        problems.push(Problem::NoReplicates);
    }
    if e.scenarios.is_empty() {
        problems.push(Problem::NoScenarios);
    }
    if e.seed > i64::MAX as u64 {
        problems.push(Problem::Seed(e.seed));
    }
    let known = all_metrics();
    for m in metrics {
        if !known.contains(m) {
            problems.push(Problem::UnknownMetric {
                name: m.clone(),
                allowed: known.clone(),
            });
        }
    }
    for (index, f) in e.factors.iter().enumerate() {
        let path = f.path.clone();
        if e.factors[..index].iter().any(|g| g.path == f.path) {
            problems.push(Problem::RepeatedFactor {
                index,
                path: path.clone(),
            });
        }
        if e.design.takes_ranges() {
            match f.range {
                Some([lo, hi]) if lo.is_finite() && hi.is_finite() && lo <= hi => {}
                _ => problems.push(Problem::NoRange {
                    index,
                    path: path.clone(),
                    design: e.design.kind(),
                }),
            }
        } else if f.values.is_empty() {
            problems.push(Problem::NoValues {
                index,
                path: path.clone(),
                design: e.design.kind(),
            })
        }
        if f.values.iter().any(|v| !v.is_finite()) {
            problems.push(Problem::NotFinite { index, path });
        }
    }
    if let Design::Lhs { samples: 0 } = e.design {
        problems.push(Problem::NoSamples);
    }
    if let Design::Lhs { samples } = e.design
        && samples as usize > super::sensitivity::MAX_POINTS
    {
        problems.push(Problem::Sensitivity(SensitivityError::TooMany {
            what: "design.samples",
            most: super::sensitivity::MAX_POINTS,
            got: samples as usize,
        }));
    }
}

/// The design points: for each, every factor's value, or `None` for the scenario's own.
/// A Morris or Sobol design that cannot be made says why.
fn design_points(e: &Experiment) -> Result<Vec<Vec<Option<f64>>>, SensitivityError> {
    Ok(match &e.design {
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
        Design::Morris {
            trajectories,
            levels,
        } => on_ranges(
            e,
            morris::Design::new(
                e.factors.len(),
                *trajectories as usize,
                *levels as usize,
                e.seed,
            )?
            .points,
        ),
        Design::Sobol {
            samples,
            second_order,
        } => on_ranges(
            e,
            saltelli::Design::new(e.factors.len(), *samples as usize, *second_order)?.points,
        ),
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
    })
}

/// Points of the unit hypercube scaled to the factors' ranges.
fn on_ranges(e: &Experiment, unit: Vec<Vec<f64>>) -> Vec<Vec<Option<f64>>> {
    unit.into_iter()
        .map(|u| {
            u.iter()
                .zip(&e.factors)
                .map(|(&u, f)| {
                    let [lo, hi] = f.range.unwrap_or([0.0, 0.0]);
                    Some(lo + u * (hi - lo))
                })
                .collect()
        })
        .collect()
}

/// The scenario `name` as run: loaded (a path relative to `dir`), with the experiment's
/// `ticks` (noting dropped shocks) and `residents`.
fn scenario_as_run(
    e: &Experiment,
    name: &str,
    dir: &Path,
    notes: &mut Vec<String>,
) -> Result<Scenario, Vec<Problem>> {
    // Names are built-ins; anything that looks like a path is relative to the file.
    let is_path = name.ends_with(".toml") || name.contains('/');
    let target = if is_path {
        dir.join(name).display().to_string()
    } else {
        name.to_string()
    };
    let mut base = Scenario::load(&target).map_err(|err| {
        err.to_string()
            .lines()
            .map(|line| Problem::Scenario {
                name: name.to_string(),
                line: line.to_string(),
            })
            .collect::<Vec<_>>()
    })?;
    let before = base.shocks.len();
    base = e.as_run(base);
    if let Some(t) = e.ticks
        && base.shocks.len() < before
    {
        notes.push(format!(
            "scenario '{name}': {} shock(s) end after day {t} and are left out",
            before - base.shocks.len()
        ));
    }
    Ok(base)
}

/// Set the factors of design point `p` in the scenario table `t` of a `regime` cell:
/// the value used for each factor, or every factor path that is not a number.
fn set_point(
    t: &mut Value,
    e: &Experiment,
    p: &[Option<f64>],
    regime: &str,
    name: &str,
) -> Result<Vec<f64>, Vec<Problem>> {
    let mut point = Vec::with_capacity(p.len());
    let mut missing = Vec::new();
    for (index, (f, v)) in e.factors.iter().zip(p).enumerate() {
        let sp = scenario_path(&f.path, regime);
        let used = match v {
            None => slot(t, &sp).map(|s| number(s)),
            Some(v) => set_number(t, &sp, *v),
        };
        match used {
            Some(used) => point.push(used),
            None => missing.push(Problem::NotANumber {
                index,
                path: f.path.clone(),
                scenario: name.to_string(),
                looked_for: sp,
            }),
        }
    }
    if missing.is_empty() {
        Ok(point)
    } else {
        Err(missing)
    }
}

/// The cells being laid out, with the problems found and the fingerprint so far.
struct Layout {
    cells: Vec<Cell>,
    problems: Vec<Problem>,
    fingerprint: String,
}

impl Layout {
    /// The cells of scenario `name` (as run: `base`) under `regime`, one per design point.
    /// A factor path that is not found stops this regime's cells.
    fn add_regime(
        &mut self,
        e: &Experiment,
        name: &str,
        base: &Scenario,
        regime: &str,
        points: &[Vec<Option<f64>>],
    ) {
        let mut one = base.clone();
        one.regimes.retain(|k, _| *k == regime);
        let table = Value::try_from(&one).expect("scenario serialises");
        for p in points {
            let mut t = table.clone();
            let point = match set_point(&mut t, e, p, regime, name) {
                Ok(point) => point,
                Err(missing) => {
                    self.problems.extend(missing);
                    break;
                }
            };
            // A value that is not finite was refused once already, as `NotFinite`.
            if point.iter().any(|v| !v.is_finite()) {
                continue;
            }
            let scenario: Scenario = match t.try_into() {
                Ok(s) => s,
                Err(err) => {
                    self.problems.push(Problem::Unusable {
                        scenario: name.to_string(),
                        message: err.message().trim().to_string(),
                    });
                    continue;
                }
            };
            if let Err(err) = scenario.validate() {
                for line in err.to_string().lines() {
                    self.problems.push(Problem::Refused {
                        point: point.clone(),
                        scenario: name.to_string(),
                        regime: regime.to_string(),
                        line: line.to_string(),
                    });
                }
                continue;
            }
            self.fingerprint.push_str(&scenario.to_toml());
            self.cells.push(Cell {
                scenario_name: name.to_string(),
                regime: regime.to_string(),
                point,
                scenario,
            });
        }
    }
}

/// The runs of `cells`: each cell's replicates, numbered in order, each seeded from
/// (experiment seed, cell, replicate).
fn runs(cells: &[Cell], e: &Experiment) -> Vec<Run> {
    cells
        .iter()
        .enumerate()
        .flat_map(|(c, _)| (0..e.replicates).map(move |r| (c, r)))
        .enumerate()
        .map(|(id, (cell, replicate))| Run {
            id: id as u64,
            cell,
            replicate,
            seed: replicate_seed(e.seed, (!e.crn()).then_some(cell as u64), replicate as u64),
        })
        .collect()
}

/// The seed of replicate `replicate` (from 0) of the runs keyed by `cell`, derived from
/// `seed`: every run of a sweep, and `linkage run --replicates`'s replicates after the
/// first. `cell` is `None` for common random numbers: every point (or regime) of a
/// replicate then draws alike, the stream keyed by the replicate alone. Below 2^63, so
/// that the seed reads back from TOML.
pub fn replicate_seed(seed: u64, cell: Option<u64>, replicate: u64) -> u64 {
    stream(seed, Purpose::Sweep, cell.unwrap_or(u64::MAX), replicate).word() & i64::MAX as u64
}

/// Lay out the runs of an experiment whose scenario paths are relative to `dir`. Every
/// problem is returned at once, each naming the file (`label`).
pub fn plan(
    mut e: Experiment,
    dir: &Path,
    o: Overrides,
    label: &str,
) -> Result<Plan, Vec<PlanError>> {
    apply_overrides(&mut e, o);
    let metrics: Vec<String> = if e.metrics.is_empty() {
        all_metrics()
    } else {
        e.metrics.clone()
    };
    let mut layout = Layout {
        cells: Vec::new(),
        problems: Vec::new(),
        fingerprint: format!(
            "linkage {}\n{}\n",
            env!("CARGO_PKG_VERSION"),
            toml::to_string(&e).unwrap_or_default()
        ),
    };
    check_keys(&e, &metrics, &mut layout.problems);
    let mut notes = Vec::new();
    if let Design::Sobol { samples, .. } = e.design
        && samples >= 2
        && !samples.is_power_of_two()
    {
        notes.push(format!(
            "design.samples = {samples} is not a power of two; Saltelli's scheme on a Sobol sequence is balanced at 2^m ({} or {})",
            samples.next_power_of_two() / 2,
            samples.next_power_of_two()
        ));
    }
    let points = design_points(&e).unwrap_or_else(|err| {
        layout.problems.push(Problem::Sensitivity(err));
        Vec::new()
    });
    let mut scenarios = Vec::new();
    for name in &e.scenarios {
        let base = match scenario_as_run(&e, name, dir, &mut notes) {
            Ok(base) => base,
            Err(problems) => {
                layout.problems.extend(problems);
                continue;
            }
        };
        match base.select_regimes(&e.regimes) {
            Ok(regimes) => {
                for (regime, _) in regimes {
                    layout.add_regime(&e, name, &base, &regime, &points);
                }
            }
            Err(message) => layout.problems.push(Problem::Regime {
                name: name.clone(),
                message,
            }),
        }
        scenarios.push(base);
    }
    let Layout {
        cells,
        mut problems,
        fingerprint,
    } = layout;
    problems.dedup();
    if !problems.is_empty() {
        return Err(problems
            .into_iter()
            .map(|problem| PlanError::Invalid {
                file: label.to_string(),
                problem,
            })
            .collect());
    }
    Ok(Plan {
        runs: runs(&cells, &e),
        experiment: e,
        cells,
        metrics,
        fingerprint: format!("{:016x}", crate::base::hash::fnv1a(fingerprint.as_bytes())),
        notes,
        scenarios,
    })
}
