//! Sensitivity analysis on the unit hypercube: the designs say which points to run, the
//! estimators turn the outputs at those points into indices with bootstrap intervals.
//! Factor ranges, scenarios and runs are the caller's (issue 16: sweep designs
//! `kind = "morris"` and `kind = "sobol"`, and `linkage analyze`).
//!
//! - [`morris`]: elementary effects along r one-at-a-time trajectories (Morris 1991),
//!   μ, μ* (Campolongo, Cariboni & Saltelli 2007) and σ per factor;
//! - [`saltelli`]: Saltelli's sampling on a Sobol sequence (Saltelli 2002, 2010),
//!   first-order indices by Saltelli 2010's estimator, total indices by Jansen's (1999),
//!   optional second-order indices.
//!
//! Every random draw (Morris's trajectories, the bootstrap's resamples) comes from a
//! stream keyed by the caller's seed and what it is for, so a design and its indices are
//! the same bytes for the same seed.

pub mod morris;
pub mod saltelli;

use crate::base::rng::{Purpose, stream};

/// An index and its bootstrap 95% interval (percentiles 2.5 and 97.5).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// Resamples drawn for an interval unless the caller says otherwise.
pub const BOOTSTRAP: usize = 1000;

/// Points a design may have (a sweep of more is beyond this machine and most clusters;
/// the designs are built in memory).
pub const MAX_POINTS: usize = 10_000_000;

/// Why a design or an analysis cannot be made; one line each.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum SensitivityError {
    #[error("a sensitivity design needs at least one factor")]
    NoFactors,
    #[error("{what} must be at least {least}; it is {got}")]
    TooFew {
        what: &'static str,
        least: usize,
        got: usize,
    },
    #[error("{what} must be at most {most}; it is {got}")]
    TooMany {
        what: &'static str,
        most: usize,
        got: usize,
    },
    #[error("Morris's levels must be even (so that every step has a partner); it is {0}")]
    OddLevels(usize),
    #[error("expected {expected} outputs for this design, got {got}")]
    Outputs { expected: usize, got: usize },
    #[error("output {0} is not a finite number")]
    NotFinite(usize),
    #[error("the outputs do not vary, so there is no variance to apportion")]
    NoVariance,
}

impl SensitivityError {
    /// The key of the experiment file the problem is about (`design.samples`,
    /// `design.trajectories`, `design.levels`, `factors`), which its message starts with.
    pub fn key(&self) -> &'static str {
        let what = match self {
            SensitivityError::NoFactors => return "factors",
            SensitivityError::OddLevels(_) => return "design.levels",
            SensitivityError::TooFew { what, .. } | SensitivityError::TooMany { what, .. } => what,
            _ => return "design",
        };
        // A design's points grow with its samples (Sobol) or trajectories (Morris).
        if what.contains("samples") || what.starts_with("Sobol's points") {
            "design.samples"
        } else if what.contains("trajectories") || what.starts_with("Morris's points") {
            "design.trajectories"
        } else if what.contains("levels") {
            "design.levels"
        } else if what.contains("factors") {
            "factors"
        } else {
            "design"
        }
    }
}

/// `value` with the 2.5 and 97.5 percentiles of `statistic` over `resamples` bootstrap
/// resamples of `n` rows (rows drawn with replacement, from the stream `seed`).
pub(crate) fn bootstrap(
    value: f64,
    n: usize,
    resamples: usize,
    seed: u64,
    what: u64,
    mut statistic: impl FnMut(&[usize]) -> f64,
) -> Estimate {
    if resamples == 0 || n == 0 {
        return Estimate {
            value,
            low: value,
            high: value,
        };
    }
    let mut rows = vec![0usize; n];
    let mut stats: Vec<f64> = (0..resamples)
        .map(|b| {
            let mut s = stream(seed, Purpose::Bootstrap, what, b as u64);
            for r in rows.iter_mut() {
                *r = s.below(n);
            }
            statistic(&rows)
        })
        .filter(|x| x.is_finite())
        .collect();
    if stats.is_empty() {
        return Estimate {
            value,
            low: value,
            high: value,
        };
    }
    stats.sort_by(f64::total_cmp);
    let at = |q: f64| stats[((q * (stats.len() - 1) as f64).round() as usize).min(stats.len() - 1)];
    Estimate {
        value,
        low: at(0.025),
        high: at(0.975),
    }
}

/// Check that `got` (a count named `what`) lies in `least ..= most`.
pub(crate) fn bounded(
    what: &'static str,
    got: usize,
    least: usize,
    most: usize,
) -> Result<(), SensitivityError> {
    if got < least {
        Err(SensitivityError::TooFew { what, least, got })
    } else if got > most {
        Err(SensitivityError::TooMany { what, most, got })
    } else {
        Ok(())
    }
}

/// Check that there are `expected` finite outputs.
pub(crate) fn check_outputs(y: &[f64], expected: usize) -> Result<(), SensitivityError> {
    if y.len() != expected {
        return Err(SensitivityError::Outputs {
            expected,
            got: y.len(),
        });
    }
    match y.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(SensitivityError::NotFinite(i)),
        None => Ok(()),
    }
}

/// Test functions with known indices (Ishigami & Homma 1990; Sobol's G-function), for the
/// tests here and for anyone checking an estimator.
pub mod known {
    use std::f64::consts::PI;

    /// Ishigami's function on [0,1]³ scaled to [−π, π]³.
    pub fn ishigami(x: &[f64], a: f64, b: f64) -> f64 {
        let [x1, x2, x3] = [x[0], x[1], x[2]].map(|u| -PI + 2.0 * PI * u);
        x1.sin() + a * x2.sin().powi(2) + b * x3.powi(4) * x1.sin()
    }

    /// Ishigami's first-order indices, total indices and S₁₃ (the only interaction).
    pub fn ishigami_indices(a: f64, b: f64) -> ([f64; 3], [f64; 3], f64) {
        let p4 = PI.powi(4);
        let p8 = PI.powi(8);
        let v1 = 0.5 * (1.0 + b * p4 / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * p8 * (1.0 / 18.0 - 1.0 / 50.0);
        let v = v1 + v2 + v13;
        (
            [v1 / v, v2 / v, 0.0],
            [(v1 + v13) / v, v2 / v, v13 / v],
            v13 / v,
        )
    }

    /// Sobol's G-function on [0,1]^k with coefficients `a`.
    pub fn g_function(x: &[f64], a: &[f64]) -> f64 {
        x.iter()
            .zip(a)
            .map(|(&u, &ai)| ((4.0 * u - 2.0).abs() + ai) / (1.0 + ai))
            .product()
    }

    /// The G-function's first-order and total indices.
    pub fn g_indices(a: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let vi: Vec<f64> = a
            .iter()
            .map(|ai| 1.0 / (3.0 * (1.0 + ai).powi(2)))
            .collect();
        let all: f64 = vi.iter().map(|v| 1.0 + v).product();
        let v = all - 1.0;
        let first = vi.iter().map(|x| x / v).collect();
        let total = vi.iter().map(|x| x * all / (1.0 + x) / v).collect();
        (first, total)
    }
}
