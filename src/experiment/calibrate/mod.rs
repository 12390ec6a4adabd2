//! Calibration (`linkage calibrate FILE`): fit chosen scenario parameters to empirical
//! targets by ABC-SMC ([`abc`]).
//!
//! The calibration file names the targets (a summary metric of a scenario under a regime,
//! its observed value and the value's uncertainty, one standard deviation), the free
//! parameters (numeric scenario paths with a range: the uniform prior) and the budget of
//! runs. A parameter set's distance to the observations is
//!
//!   d(θ) = √( (1/K) Σ_k ((ŷ_k(θ) − y_k) / σ_k)² ),
//!
//! ŷ_k being the target's metric averaged over `replicates` runs; d = ∞ when a metric is
//! undefined or the scenario checks refuse θ. Calibration fits the city, never a regime:
//! a path into `regimes.` or `mechanism.` is refused, since the presets' mechanism values
//! come from the seeds and MODEL.md (docs/parameters.md), not from an outcome.
//!
//! Example:
//!
//! ```toml
//! name = "calibrate-prereform"
//! seed = 2019
//! scenario = "xcity-baseline"      # the targets' default scenario and regime
//! regime = "fragmented"
//! residents = 20000                # optional overrides of the scenario's
//! ticks = 365
//! warmup = 365                     # optional: days stepped before day 0
//! replicates = 1                   # runs per parameter set and setting, averaged
//! budget = 3000                    # most runs in all
//!
//! [method]
//! kind = "abc-smc"
//! particles = 200
//! generations = 8
//! quantile = 0.5                   # each tolerance: this quantile of the last distances
//! min_acceptance = 0.05            # stop when fewer candidates are accepted
//!
//! [[targets]]
//! metric = "solution_rate"
//! observed = 0.53
//! uncertainty = 0.03
//! source = "Beijing 12345, 2019"   # optional; also scenario = .., regime = ..
//!
//! [[parameters]]
//! path = "assessment.solve_quality"
//! range = [0.4, 1.0]
//!
//! [result]                         # optional: the fitted scenario's name
//! name = "xcity-prereform"
//! ```

pub mod abc;
pub mod output;

use super::plan::{PlanError, all_metrics, read_toml, set_number};
use crate::base::num::given;
use crate::base::rng::{Purpose, stream};
use crate::engine::run::run_paired;
use crate::output::metrics::{Summary, summarise, tick_table};
use crate::scenario::Scenario;
use abc::{Evaluation, Outcome, Particle};
use serde::{Deserialize, Serialize};
use std::path::Path;
use toml::Value;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub seed: u64,
    pub scenario: String,
    pub regime: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residents: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticks: Option<u32>,
    /// Days stepped before day 0 (as `linkage run --warmup`); default the scenario's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<u32>,
    #[serde(default = "one")]
    pub replicates: u32,
    pub budget: u64,
    #[serde(default)]
    pub method: Method,
    pub targets: Vec<Target>,
    pub parameters: Vec<Parameter>,
    #[serde(default)]
    pub result: ResultSpec,
}

fn one() -> u32 {
    1
}

/// The fitting method. One kind today; a tagged struct variant so that a key of another
/// kind is refused, not ignored.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Method {
    AbcSmc {
        #[serde(default = "particles")]
        particles: u32,
        #[serde(default = "generations")]
        generations: u32,
        #[serde(default = "quantile")]
        quantile: f64,
        #[serde(default = "min_acceptance")]
        min_acceptance: f64,
        #[serde(default)]
        tolerance: f64,
    },
}

fn particles() -> u32 {
    200
}
fn generations() -> u32 {
    10
}
fn quantile() -> f64 {
    0.5
}
fn min_acceptance() -> f64 {
    0.05
}

impl Default for Method {
    fn default() -> Method {
        Method::AbcSmc {
            particles: particles(),
            generations: generations(),
            quantile: quantile(),
            min_acceptance: min_acceptance(),
            tolerance: 0.0,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub metric: String,
    pub observed: f64,
    /// One standard deviation of the observation (and of what the model may miss).
    pub uncertainty: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regime: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub path: String,
    /// [low, high]: the uniform prior. A list, so that a third number is refused, not
    /// dropped.
    pub range: Vec<f64>,
}

impl Parameter {
    /// The prior's (low, high); NaN where the range lacks a number.
    pub fn bounds(&self) -> (f64, f64) {
        let at = |i: usize| self.range.get(i).copied().unwrap_or(f64::NAN);
        (at(0), at(1))
    }
}

/// The fitted scenario's name and description (default: `<scenario>-calibrated`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResultSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Why a calibration cannot run; each one line naming the file.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    #[error(transparent)]
    File(#[from] PlanError),
    #[error("{file}: {problem}")]
    Invalid { file: String, problem: String },
    #[error("{file}: {source}")]
    Abc { file: String, source: abc::AbcError },
}

/// One scenario × regime the targets need: the scenario as run (overrides applied),
/// holding only that regime, as a TOML table the parameters are set in.
pub struct Setting {
    pub scenario: String,
    pub regime: String,
    table: Value,
    /// The targets of this setting: (index in `targets`, column in `all_metrics()`).
    targets: Vec<(usize, usize)>,
}

/// A calibration ready to run: the file, its settings, the scenario the result is
/// written from.
pub struct Prepared {
    pub calibration: Calibration,
    pub label: String,
    pub settings: Vec<Setting>,
    /// The file's own scenario as run, with all its regimes: the fitted scenario's base.
    pub base: Scenario,
}

impl Prepared {
    pub fn settings(&self) -> abc::Settings {
        let Method::AbcSmc {
            particles,
            generations,
            quantile,
            min_acceptance,
            tolerance,
        } = self.calibration.method;
        abc::Settings {
            particles: particles as usize,
            generations: generations as usize,
            quantile,
            min_acceptance,
            tolerance,
            budget: self.calibration.budget,
            seed: self.calibration.seed,
        }
    }

    /// Runs one evaluation takes: a run per setting and replicate.
    pub fn runs_per_eval(&self) -> u64 {
        self.settings.len() as u64 * self.calibration.replicates as u64
    }

    pub fn ranges(&self) -> Vec<(f64, f64)> {
        self.calibration
            .parameters
            .iter()
            .map(Parameter::bounds)
            .collect()
    }

    /// How each target is named in the output: its metric, with `@scenario/regime` when
    /// it is not the file's own setting.
    pub fn target_labels(&self) -> Vec<String> {
        let c = &self.calibration;
        c.targets
            .iter()
            .map(|t| {
                let s = t.scenario.as_deref().unwrap_or(&c.scenario);
                let r = t.regime.as_deref().unwrap_or(&c.regime);
                if s == c.scenario && r == c.regime {
                    t.metric.clone()
                } else {
                    format!("{}@{s}/{r}", t.metric)
                }
            })
            .collect()
    }

    /// The scenario of `setting` with parameters `theta`, or why it cannot be used.
    pub fn scenario_at(&self, setting: &Setting, theta: &[f64]) -> Result<Scenario, String> {
        let mut t = setting.table.clone();
        for (p, &v) in self.calibration.parameters.iter().zip(theta) {
            set_number(&mut t, &p.path, v)
                .ok_or_else(|| format!("{} is not a number in the scenario", p.path))?;
        }
        let s: Scenario = t
            .try_into()
            .map_err(|e: toml::de::Error| e.message().to_string())?;
        s.validate().map_err(|e| e.to_string())?;
        Ok(s)
    }

    /// Simulate `theta`: each setting's runs (replicate 0 with `seed`, the others with
    /// seeds drawn from it), the targets' means and the distance.
    pub fn evaluate(&self, theta: &[f64], seed: u64) -> Evaluation {
        let c = &self.calibration;
        let mut outputs = vec![0.0; c.targets.len()];
        for setting in &self.settings {
            let Ok(s) = self.scenario_at(setting, theta) else {
                return Evaluation {
                    distance: f64::INFINITY,
                    outputs: vec![f64::NAN; c.targets.len()],
                };
            };
            for r in 0..c.replicates {
                let mut s = s.clone();
                s.run.seed = if r == 0 {
                    seed
                } else {
                    stream(seed, Purpose::Calibrate, u64::MAX, r as u64).word() & i64::MAX as u64
                };
                let values = summary_values(&s, &setting.regime);
                for &(k, col) in &setting.targets {
                    outputs[k] += values[col] / c.replicates as f64;
                }
            }
        }
        let k = c.targets.len() as f64;
        let sum: f64 = c
            .targets
            .iter()
            .zip(&outputs)
            .map(|(t, y)| ((y - t.observed) / t.uncertainty).powi(2))
            .sum();
        let distance = (sum / k).sqrt();
        Evaluation {
            distance: if distance.is_finite() {
                distance
            } else {
                f64::INFINITY
            },
            outputs,
        }
    }

    /// The fitted scenario: the file's scenario (all its regimes) at `theta`, named and
    /// described as `[result]` says.
    pub fn fitted(&self, theta: &[f64], note: &str) -> Result<Scenario, String> {
        let mut t = Value::try_from(&self.base).map_err(|e| e.to_string())?;
        for (p, &v) in self.calibration.parameters.iter().zip(theta) {
            set_number(&mut t, &p.path, v)
                .ok_or_else(|| format!("{} is not a number in the scenario", p.path))?;
        }
        let mut s: Scenario = t
            .try_into()
            .map_err(|e: toml::de::Error| e.message().to_string())?;
        let c = &self.calibration;
        s.name = c
            .result
            .name
            .clone()
            .unwrap_or_else(|| format!("{}-calibrated", self.base.name));
        s.description = c.result.description.clone().unwrap_or_else(|| {
            format!(
                "{}, calibrated by `linkage calibrate` ({}): {note}",
                self.base.name, c.name
            )
        });
        s.validate().map_err(|e| e.to_string())?;
        Ok(s)
    }
}

/// Every summary metric of one run of `s` under `regime` (no twin), in `all_metrics()`
/// order; an empty cell (e.g. not recovered) is NaN.
pub fn summary_values(s: &Scenario, regime: &str) -> Vec<f64> {
    let mech = s.regimes[regime];
    let (result, _) = run_paired(s, regime, mech, false, |_| {});
    let table = tick_table(&result.history, s.run.window as usize);
    let summary = summarise(
        &result,
        &table,
        s.run.burn_in as usize,
        s.shock_start(),
        None,
    );
    let names = Summary::header();
    let cells = summary.cells();
    all_metrics()
        .iter()
        .map(|m| {
            names
                .iter()
                .position(|n| n == m)
                .and_then(|i| cells[i].parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        })
        .collect()
}

/// Read and check a calibration file: every problem at once, each one line.
pub fn load(path: &Path) -> Result<Prepared, Vec<CalibrateError>> {
    let label = path.display().to_string();
    let c: Calibration = read_toml(
        path,
        &label,
        "calibration file",
        "a calibration needs name, seed, scenario, regime, budget, targets and parameters",
    )
    .map_err(|e| vec![CalibrateError::File(e)])?;
    prepare(c, path.parent().unwrap_or(Path::new(".")), &label)
}

/// Check a calibration whose scenario paths are relative to `dir`.
pub fn prepare(c: Calibration, dir: &Path, label: &str) -> Result<Prepared, Vec<CalibrateError>> {
    let mut problems: Vec<String> = Vec::new();
    check_keys(&c, &mut problems);
    let metrics = all_metrics();
    let load = |name: &str| -> Result<Scenario, String> {
        let is_path = name.ends_with(".toml") || name.contains('/');
        let target = if is_path {
            dir.join(name).display().to_string()
        } else {
            name.to_string()
        };
        let mut s = Scenario::load(&target).map_err(|e| {
            e.to_string()
                .lines()
                .map(|l| format!("scenario '{name}': {l}"))
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        if let Some(t) = c.ticks {
            s = s.with_ticks(t);
        }
        if let Some(n) = c.residents {
            s.run.residents = n;
        }
        if let Some(w) = c.warmup {
            s.run.warmup = w;
        }
        Ok(s)
    };
    let mut settings: Vec<Setting> = Vec::new();
    for (k, t) in c.targets.iter().enumerate() {
        let scenario = t.scenario.clone().unwrap_or_else(|| c.scenario.clone());
        let regime = t.regime.clone().unwrap_or_else(|| c.regime.clone());
        let Some(col) = metrics.iter().position(|m| *m == t.metric) else {
            continue;
        };
        if let Some(s) = settings
            .iter_mut()
            .find(|s| s.scenario == scenario && s.regime == regime)
        {
            if s.targets.iter().any(|&(_, m)| m == col) {
                problems.push(format!(
                    "targets[{k}]: repeats {} of scenario '{scenario}', regime {regime}",
                    t.metric
                ));
            }
            s.targets.push((k, col));
            continue;
        }
        match load(&scenario) {
            Ok(mut s) => {
                if !s.regimes.contains_key(&regime) {
                    problems.push(format!(
                        "targets[{k}]: scenario '{scenario}' has no regime '{regime}'; it has {}",
                        s.regimes.keys().cloned().collect::<Vec<_>>().join(", ")
                    ));
                    continue;
                }
                s.regimes.retain(|r, _| *r == regime);
                match Value::try_from(&s) {
                    Ok(table) => settings.push(Setting {
                        scenario,
                        regime,
                        table,
                        targets: vec![(k, col)],
                    }),
                    // Only an override out of range (reported already) can make it fail.
                    Err(e) => problems.push(format!("targets[{k}]: scenario '{scenario}': {e}")),
                }
            }
            Err(line) => problems.push(format!("targets[{k}]: {line}")),
        }
    }
    let base = match load(&c.scenario) {
        Ok(s) => Some(s),
        Err(line) => {
            problems.push(format!("scenario: {line}"));
            None
        }
    };
    if problems.is_empty()
        && let Some(base) = base
    {
        let prepared = Prepared {
            calibration: c,
            label: label.to_string(),
            settings,
            base,
        };
        check_parameters(&prepared, &mut problems);
        let s = prepared.settings();
        let need = s.particles as u64 * prepared.runs_per_eval();
        if s.budget < need {
            problems.push(format!(
                "budget: {} runs do not cover the first generation ({} particles × {} runs each = {need}); raise budget or lower method.particles",
                s.budget,
                s.particles,
                prepared.runs_per_eval()
            ));
        }
        if problems.is_empty() {
            return Ok(prepared);
        }
    }
    problems.dedup();
    Err(problems
        .into_iter()
        .map(|problem| CalibrateError::Invalid {
            file: label.to_string(),
            problem,
        })
        .collect())
}

/// Most free parameters. A proposal is redrawn until every parameter lies in its range,
/// which a loosely fitted parameter does about two times in three: with many of them
/// the redraws would never end.
pub const MAX_PARAMETERS: usize = 20;

/// A number as a message shows it: NaN and infinities by name, the very large and very
/// small in scientific notation.
fn shown(v: f64) -> String {
    if !v.is_finite() || v != 0.0 && !(1e-6..1e9).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        given(v)
    }
}

fn check_keys(c: &Calibration, problems: &mut Vec<String>) {
    if c.seed > i64::MAX as u64 {
        problems.push(format!("seed: is {}; allowed: 0 to {}", c.seed, i64::MAX));
    }
    if let Some(n) = c.residents
        && !(100..=100_000_000).contains(&n)
    {
        problems.push(format!("residents: is {n}; allowed: 100 to 100000000"));
    }
    if let Some(t) = c.ticks
        && !(1..=36_500).contains(&t)
    {
        problems.push(format!("ticks: is {t}; allowed: 1 to 36500"));
    }
    if let Some(w) = c.warmup
        && w > 3650
    {
        problems.push(format!("warmup: is {w}; allowed: 0 to 3650"));
    }
    if c.replicates == 0 {
        problems.push("replicates: is 0; allowed: a whole number ≥ 1".into());
    }
    if c.budget == 0 {
        problems.push("budget: is 0; allowed: the most runs, a whole number ≥ 1".into());
    }
    let Method::AbcSmc {
        particles,
        generations,
        quantile,
        min_acceptance,
        tolerance,
    } = c.method;
    if !(2..=100_000).contains(&particles) {
        problems.push(format!(
            "method.particles: is {particles}; allowed: 2 to 100000"
        ));
    }
    if !(1..=1000).contains(&generations) {
        problems.push(format!(
            "method.generations: is {generations}; allowed: 1 to 1000"
        ));
    }
    if !(quantile > 0.0 && quantile < 1.0) {
        problems.push(format!(
            "method.quantile: is {quantile}; allowed: between 0 and 1 (e.g. 0.5)"
        ));
    }
    if !(0.0..1.0).contains(&min_acceptance) {
        problems.push(format!(
            "method.min_acceptance: is {min_acceptance}; allowed: 0 to below 1"
        ));
    }
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        problems.push(format!(
            "method.tolerance: is {tolerance}; allowed: a number ≥ 0"
        ));
    }
    if c.targets.is_empty() {
        problems.push(
            "targets: none; allowed: one or more [[targets]] with metric, observed, uncertainty"
                .into(),
        );
    }
    let metrics = all_metrics();
    for (k, t) in c.targets.iter().enumerate() {
        if !metrics.contains(&t.metric) {
            problems.push(format!(
                "targets[{k}].metric: '{}' is not a summary metric; allowed: {}",
                t.metric,
                metrics.join(", ")
            ));
        }
        if !t.observed.is_finite() || t.observed.abs() > 1e12 {
            problems.push(format!(
                "targets[{k}].observed: is {}; allowed: a number from -1e12 to 1e12",
                shown(t.observed)
            ));
        }
        if !(t.uncertainty > 0.0 && t.uncertainty <= 1e12) {
            problems.push(format!(
                "targets[{k}].uncertainty: is {}; allowed: a number > 0 and ≤ 1e12 (one standard deviation)",
                shown(t.uncertainty)
            ));
        }
    }
    if c.parameters.is_empty() {
        problems.push(
            "parameters: none; allowed: one or more [[parameters]] with path and range".into(),
        );
    }
    if c.parameters.len() > MAX_PARAMETERS {
        problems.push(format!(
            "parameters: {} of them; allowed: at most {MAX_PARAMETERS}",
            c.parameters.len()
        ));
    }
    for (k, p) in c.parameters.iter().enumerate() {
        if p.path.starts_with("regimes.") || p.path.starts_with("mechanism.") {
            problems.push(format!(
                "parameters[{k}].path: '{}' is a regime's mechanism; calibration fits the city, not the regimes (the presets' values come from the seeds and MODEL.md, docs/parameters.md)",
                p.path
            ));
        }
        if c.parameters[..k].iter().any(|q| q.path == p.path) {
            problems.push(format!("parameters[{k}].path: repeats '{}'", p.path));
        }
        let (lo, hi) = p.bounds();
        if p.range.len() != 2 || !(lo.is_finite() && hi.is_finite() && lo < hi) {
            problems.push(format!(
                "parameters[{k}].range: is [{}]; allowed: [low, high], two finite numbers, low < high",
                p.range.iter().map(|&v| shown(v)).collect::<Vec<_>>().join(", ")
            ));
        }
        if p.path == "run" || p.path.starts_with("run.") {
            problems.push(format!(
                "parameters[{k}].path: '{}' is a setting of the run (seed, days, size), not of the city; set residents, ticks or warmup at the top of the file",
                p.path
            ));
        }
    }
}

/// Each setting's scenario as run passes the scenario checks (a problem of an override
/// names its key: `ticks`, `residents`, `warmup`); each parameter is a number in every
/// setting, and the checks accept each end of its range, the others at their middles.
fn check_parameters(p: &Prepared, problems: &mut Vec<String>) {
    let overrides = [
        ("run.ticks", "ticks"),
        ("run.residents", "residents"),
        ("run.warmup", "warmup"),
    ];
    for setting in &p.settings {
        let s: Result<Scenario, _> = setting.table.clone().try_into();
        let lines = match s {
            Ok(s) => s.problems(),
            Err(e) => vec![(String::new(), e.message().trim().to_string())],
        };
        for (field, message) in lines {
            let key = overrides
                .iter()
                .find(|(f, _)| *f == field)
                .map_or("scenario", |(_, k)| k);
            problems.push(format!(
                "{key}: scenario '{}' as run: {field}: {message}",
                setting.scenario
            ));
        }
        for (k, par) in p.calibration.parameters.iter().enumerate() {
            let mut t = setting.table.clone();
            if set_number(&mut t, &par.path, par.bounds().0).is_none() {
                problems.push(format!(
                    "parameters[{k}].path: '{}' is not a number in scenario '{}'",
                    par.path, setting.scenario
                ));
            }
        }
    }
    if !problems.is_empty() {
        return;
    }
    let ranges = p.ranges();
    let middle: Vec<f64> = ranges
        .iter()
        .map(|&(lo, hi)| lo + 0.5 * (hi - lo))
        .collect();
    for (k, &(lo, hi)) in ranges.iter().enumerate() {
        for end in [lo, hi] {
            let mut theta = middle.clone();
            theta[k] = end;
            for setting in &p.settings {
                if let Err(e) = p.scenario_at(setting, &theta) {
                    for line in e.lines() {
                        problems.push(format!(
                            "parameters[{k}].range: at {}, scenario '{}': {line}",
                            given(end),
                            setting.scenario
                        ));
                    }
                }
            }
        }
    }
}

/// The particle of the last generation nearest the observations.
pub fn best(outcome: &Outcome) -> &Particle {
    let last = outcome.generations.last().expect("one generation at least");
    last.particles
        .iter()
        .filter(|p| p.weight > 0.0)
        .min_by(|a, b| a.distance.total_cmp(&b.distance))
        .unwrap_or(&last.particles[0])
}
