//! One-at-a-time influence of every parameter (`linkage params --influence`): each
//! numeric field of the scenario set 20% lower and 20% higher, the others left as they
//! are, one regime run for each, and the change in a few headline metrics against the
//! run at the scenario's values. Every run uses the scenario's seed (common random
//! numbers), so a difference is the parameter's, not the draw's; the base is also run at
//! a few other seeds to show how large a difference the draw alone makes.
//!
//! Fields are changed with the sweep's setter ([`super::plan::set_number`]), so a whole
//! number is rounded; a side that rounds back to the value is not run. A changed
//! scenario that fails validation (a share pushed above 1) is not run either, and the
//! problem is kept. Runs are independent and run in parallel (rayon); the result does
//! not depend on their order or the thread count.

use super::plan::set_number;
use crate::engine::run::run_regime;
use crate::output::metrics::{Summary, summarise, tick_table};
use crate::scenario::Scenario;
use crate::scenario::sources::Leaf;
use rayon::prelude::*;
use toml::Value;

/// The relative step: each parameter is set to (1 − STEP) and (1 + STEP) times its value.
pub const STEP: f64 = 0.2;
/// Extra seeds the base point is run at, to measure the noise of the draw.
pub const NOISE_SEEDS: u64 = 4;
/// The headline metrics whose change is measured (columns of `summary.csv`).
pub const METRICS: [&str; 5] = [
    "solution_rate",
    "trust_end",
    "protester_days",
    "incident_days",
    "staff_hours",
];

/// One side (−STEP or +STEP) of a parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum Side {
    /// Run at `value`: the metrics of [`METRICS`], in order.
    Ran { value: f64, metrics: Vec<f64> },
    /// A whole number that rounds back to its value: not run.
    Same,
    /// The scenario with this value fails validation: not run.
    Invalid { value: f64, problem: String },
}

/// What was done with one parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Not varied, and why.
    NotVaried(String),
    Varied {
        minus: Side,
        plus: Side,
    },
}

/// The influence of every parameter: the base point's metrics, their standard deviation
/// over seeds, and one effect per leaf (in the order given).
#[derive(Clone, Debug)]
pub struct Influence {
    pub regime: String,
    pub base: Vec<f64>,
    pub noise_sd: Vec<f64>,
    /// Number of seeds behind `noise_sd` (the scenario's and [`NOISE_SEEDS`] more).
    pub noise_seeds: u64,
    pub effects: Vec<Effect>,
}

/// A run to make: the scenario, and where its metrics go.
struct Job {
    scenario: Scenario,
    to: Target,
}

#[derive(Clone, Copy)]
enum Target {
    /// The base at one seed (the scenario's own first).
    Base,
    /// Leaf `i`, side minus (false) or plus (true).
    Leaf(usize, bool),
}

/// Why a leaf is not varied, if it is not: run settings, another regime's mechanisms, a
/// zero (±20% of 0 is 0) and a shock's target index.
fn not_varied(leaf: &Leaf, regime: &str) -> Option<String> {
    if leaf.key.starts_with("run.") {
        return Some("run setting".into());
    }
    if let Some(rest) = leaf.path.strip_prefix("regimes.")
        && !rest.starts_with(&format!("{regime}."))
    {
        return Some(format!("another regime (measured on {regime})"));
    }
    if leaf.key.ends_with("target.township") {
        return Some("an index".into());
    }
    if leaf.value == 0.0 {
        return Some("0 (±20% of 0 is 0)".into());
    }
    None
}

/// The scenario with `leaf` set to `factor` × its value: the value used and the
/// scenario, or what is wrong; `Ok(None)` when a whole number rounds back to its value.
fn changed(
    table: &Value,
    leaf: &Leaf,
    factor: f64,
) -> Result<Option<(f64, Scenario)>, (f64, String)> {
    let mut t = table.clone();
    let wanted = leaf.value * factor;
    let Some(used) = set_number(&mut t, &leaf.path, wanted) else {
        return Err((wanted, format!("{} is not a number", leaf.path)));
    };
    if used == leaf.value {
        return Ok(None);
    }
    let s: Scenario = t
        .try_into()
        .map_err(|e: toml::de::Error| (used, e.message().trim().to_string()))?;
    match s.validate() {
        Ok(()) => Ok(Some((used, s))),
        Err(e) => Err((
            used,
            e.problems
                .first()
                .map(|p| p.to_string())
                .unwrap_or_default(),
        )),
    }
}

/// The jobs and, for each leaf, its effect with the sides that will run left as `Ran`
/// with no metrics yet.
fn lay_out(base: &Scenario, regime: &str, leaves: &[Leaf]) -> (Vec<Job>, Vec<Effect>) {
    let table = Value::try_from(base).expect("scenario serialises");
    let mut jobs: Vec<Job> = (0..=NOISE_SEEDS as usize)
        .map(|k| {
            let mut s = base.clone();
            s.run.seed = base.run.seed.wrapping_add(k as u64) & i64::MAX as u64;
            Job {
                scenario: s,
                to: Target::Base,
            }
        })
        .collect();
    let mut effects = Vec::with_capacity(leaves.len());
    for (i, leaf) in leaves.iter().enumerate() {
        if let Some(why) = not_varied(leaf, regime) {
            effects.push(Effect::NotVaried(why));
            continue;
        }
        let mut side = |plus: bool| {
            let factor = if plus { 1.0 + STEP } else { 1.0 - STEP };
            match changed(&table, leaf, factor) {
                Ok(None) => Side::Same,
                Ok(Some((value, scenario))) => {
                    jobs.push(Job {
                        scenario,
                        to: Target::Leaf(i, plus),
                    });
                    Side::Ran {
                        value,
                        metrics: Vec::new(),
                    }
                }
                Err((value, problem)) => Side::Invalid { value, problem },
            }
        };
        let minus = side(false);
        let plus = side(true);
        effects.push(Effect::Varied { minus, plus });
    }
    (jobs, effects)
}

/// The value of each of [`METRICS`] in a summary (NaN where undefined).
fn metrics_of(summary: &Summary) -> Vec<f64> {
    let header = Summary::header();
    let cells = summary.cells();
    METRICS
        .iter()
        .map(|m| {
            header
                .iter()
                .position(|h| h == m)
                .and_then(|i| cells[i].parse().ok())
                .unwrap_or(f64::NAN)
        })
        .collect()
}

/// One run of `regime`: the metrics of [`METRICS`].
fn run_one(s: &Scenario, regime: &str) -> Vec<f64> {
    let mech = s.regimes[regime];
    let run = run_regime(s, regime, mech, |_| {});
    let table = tick_table(&run.history, s.run.window as usize);
    let summary = summarise(&run, &table, s.run.burn_in as usize, s.shock_start(), None);
    metrics_of(&summary)
}

/// The runs [`measure`] will make for these leaves (for a progress bar).
pub fn runs_needed(base: &Scenario, regime: &str, leaves: &[Leaf]) -> usize {
    lay_out(base, regime, leaves).0.len()
}

/// Sample standard deviation (0 for fewer than two values).
fn sd(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    if v.len() < 2 {
        return 0.0;
    }
    let mean = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// Measure the influence of each of `leaves` (fields of `base`) on `regime`, the only
/// regime `base` needs to hold. Runs in the caller's rayon pool; `on_run` is called after
/// each run.
pub fn measure(
    base: &Scenario,
    regime: &str,
    leaves: &[Leaf],
    on_run: &(dyn Fn() + Sync),
) -> Influence {
    let (jobs, mut effects) = lay_out(base, regime, leaves);
    let results: Vec<Vec<f64>> = jobs
        .par_iter()
        .map(|j| {
            let m = run_one(&j.scenario, regime);
            on_run();
            m
        })
        .collect();
    let mut seeds: Vec<Vec<f64>> = Vec::new();
    for (job, m) in jobs.iter().zip(results) {
        match job.to {
            Target::Base => seeds.push(m),
            Target::Leaf(i, plus) => {
                if let Effect::Varied { minus, plus: p } = &mut effects[i] {
                    let side = if plus { p } else { minus };
                    if let Side::Ran { metrics, .. } = side {
                        *metrics = m;
                    }
                }
            }
        }
    }
    let noise_sd = (0..METRICS.len())
        .map(|k| {
            let v: Vec<f64> = seeds
                .iter()
                .map(|s| s[k])
                .filter(|x| x.is_finite())
                .collect();
            sd(&v)
        })
        .collect();
    Influence {
        regime: regime.to_string(),
        base: seeds[0].clone(),
        noise_sd,
        noise_seeds: seeds.len() as u64,
        effects,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::sources::leaves;

    fn small() -> Scenario {
        let mut s = crate::scenario::builtin::get("xcity-flood")
            .unwrap()
            .with_ticks(40);
        s.run.residents = 400;
        s.run.burn_in = 10;
        s.regimes.retain(|k, _| k == "linkage");
        s
    }

    #[test]
    fn every_metric_is_a_summary_column() {
        let header = Summary::header();
        for m in METRICS {
            assert!(header.iter().any(|h| h == m), "{m}");
        }
    }

    #[test]
    fn whole_numbers_round_and_a_side_that_rounds_back_is_not_run() {
        let s = small();
        let l = leaves(&s);
        let pick = |p: &str| l.iter().find(|x| x.path == p).unwrap().clone();
        let (_, effects) = lay_out(
            &s,
            "linkage",
            &[
                pick("government.dispatch_delay_days"),
                pick("population.strong_ties"),
                pick("run.seed"),
                pick("regimes.linkage.spatial"),
            ],
        );
        assert_eq!(
            effects[0],
            Effect::Varied {
                minus: Side::Same,
                plus: Side::Same
            },
            "1 day rounds back to 1 both ways"
        );
        let Effect::Varied { minus, plus } = &effects[1] else {
            panic!("strong ties are varied")
        };
        assert!(matches!(minus, Side::Ran { value, .. } if *value == 6.0));
        assert!(matches!(plus, Side::Ran { value, .. } if *value == 10.0));
        assert_eq!(effects[2], Effect::NotVaried("run setting".into()));
        let Effect::Varied { plus, .. } = &effects[3] else {
            panic!("linkage's spatial is varied")
        };
        assert!(matches!(plus, Side::Ran { value, .. } if (*value - 0.72).abs() < 1e-12));
    }

    #[test]
    fn a_value_pushed_out_of_its_range_is_kept_as_a_problem_not_run() {
        let s = small();
        let l = leaves(&s);
        let link = l
            .iter()
            .find(|x| x.path == "population.link_strength")
            .unwrap();
        let (_, effects) = lay_out(&s, "linkage", std::slice::from_ref(link));
        let Effect::Varied { minus, plus } = &effects[0] else {
            panic!("varied")
        };
        assert!(matches!(minus, Side::Ran { .. }));
        assert!(
            matches!(plus, Side::Invalid { value, problem } if *value == 1.2 && problem.contains("link_strength")),
            "{plus:?}"
        );
    }

    #[test]
    fn a_parameter_that_matters_moves_the_metrics_and_the_result_is_repeatable() {
        let s = small();
        let l = leaves(&s);
        let staff: Vec<Leaf> = l
            .into_iter()
            .filter(|x| x.path == "government.hours_per_staff")
            .collect();
        let count = std::sync::atomic::AtomicUsize::new(0);
        let tick = || {
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        };
        let a = measure(&s, "linkage", &staff, &tick);
        assert_eq!(
            count.load(std::sync::atomic::Ordering::Relaxed),
            runs_needed(&s, "linkage", &staff)
        );
        let Effect::Varied {
            minus: Side::Ran { metrics: lo, .. },
            plus: Side::Ran { metrics: hi, .. },
        } = &a.effects[0]
        else {
            panic!("both sides run: {:?}", a.effects[0])
        };
        let staff_hours = METRICS.iter().position(|m| *m == "staff_hours").unwrap();
        assert!(lo[staff_hours] != hi[staff_hours], "staff hours move");
        assert_eq!(a.noise_seeds, NOISE_SEEDS + 1);
        let b = measure(&s, "linkage", &staff, &|| {});
        assert_eq!(a.effects, b.effects);
        assert_eq!(a.base, b.base);
    }
}
