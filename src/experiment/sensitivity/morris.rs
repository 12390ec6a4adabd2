//! Morris's elementary effects (Morris 1991), with μ* (Campolongo, Cariboni & Saltelli
//! 2007).
//!
//! A design is `r` trajectories of `k + 1` points on a grid of `levels` levels in
//! [0,1]^k. Each trajectory starts at a random grid point and changes one factor at a
//! time, in a random order, by Δ = levels / (2 (levels − 1)) up or down, so every factor
//! moves once. The elementary effect of factor i on a trajectory is the change of the
//! output over the signed step. Per factor: μ (the mean effect), μ* (the mean absolute
//! effect, the screening measure) and σ (the effects' standard deviation: nonlinearity
//! or interactions), each over the r trajectories, μ* with a bootstrap interval.
//!
//! Runs: r (k + 1). Nine mechanisms with r = 20 is 200 runs.

use super::{Estimate, SensitivityError, bootstrap, bounded, check_outputs};
use crate::base::rng::{Purpose, stream};

/// A Morris design: its points, trajectory by trajectory.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    pub factors: usize,
    pub trajectories: usize,
    pub levels: usize,
    /// `trajectories × (factors + 1)` points, each `factors` coordinates in [0,1].
    pub points: Vec<Vec<f64>>,
    /// For each trajectory, the factor changed at each of its `factors` steps.
    pub order: Vec<Vec<usize>>,
}

/// One factor's screening measures.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Effects {
    /// Mean elementary effect (signed: effects of opposite sign cancel).
    pub mu: f64,
    /// Mean absolute elementary effect, with its bootstrap interval over trajectories.
    pub mu_star: Estimate,
    /// Standard deviation of the elementary effects (0 for a linear, additive factor).
    pub sigma: f64,
}

impl Design {
    /// `trajectories` trajectories over `factors` factors on a grid of `levels` levels
    /// (even; 4 is the usual choice), drawn from `seed`.
    pub fn new(
        factors: usize,
        trajectories: usize,
        levels: usize,
        seed: u64,
    ) -> Result<Design, SensitivityError> {
        if factors == 0 {
            return Err(SensitivityError::NoFactors);
        }
        bounded("Morris's trajectories", trajectories, 2, usize::MAX)?;
        bounded("Morris's levels", levels, 2, usize::MAX)?;
        bounded(
            "Morris's points (trajectories × (factors + 1))",
            trajectories.saturating_mul(factors + 1),
            0,
            super::MAX_POINTS,
        )?;
        if !levels.is_multiple_of(2) {
            return Err(SensitivityError::OddLevels(levels));
        }
        let delta = delta(levels);
        let step = 1.0 / (levels - 1) as f64;
        // Lower ends of a step: the levels l with l + Δ ≤ 1 (the first half of them).
        let lows = levels / 2;
        let mut points = Vec::with_capacity(trajectories * (factors + 1));
        let mut order = Vec::with_capacity(trajectories);
        for t in 0..trajectories {
            let mut s = stream(seed, Purpose::Morris, t as u64, 0);
            let mut x: Vec<f64> = Vec::with_capacity(factors);
            let mut up = Vec::with_capacity(factors);
            for _ in 0..factors {
                let low = s.below(lows) as f64 * step;
                let rising = s.below(2) == 0;
                x.push(if rising { low } else { low + delta });
                up.push(rising);
            }
            // A random order of the factors (Fisher–Yates).
            let mut perm: Vec<usize> = (0..factors).collect();
            for i in (1..factors).rev() {
                perm.swap(i, s.below(i + 1));
            }
            points.push(x.clone());
            for &i in &perm {
                x[i] = if up[i] { x[i] + delta } else { x[i] - delta };
                points.push(x.clone());
            }
            order.push(perm);
        }
        Ok(Design {
            factors,
            trajectories,
            levels,
            points,
            order,
        })
    }

    /// Runs the design takes: trajectories × (factors + 1).
    pub fn runs(&self) -> usize {
        self.points.len()
    }

    /// Each factor's elementary effects, trajectory by trajectory, from the outputs `y`
    /// at the design's points (in order).
    pub fn elementary_effects(&self, y: &[f64]) -> Result<Vec<Vec<f64>>, SensitivityError> {
        check_outputs(y, self.runs())?;
        let k = self.factors;
        let mut ee = vec![vec![0.0; self.trajectories]; k];
        for (t, perm) in self.order.iter().enumerate() {
            let base = t * (k + 1);
            for (j, &i) in perm.iter().enumerate() {
                let (a, b) = (base + j, base + j + 1);
                let dx = self.points[b][i] - self.points[a][i];
                ee[i][t] = (y[b] - y[a]) / dx;
            }
        }
        Ok(ee)
    }

    /// μ, μ* (with a bootstrap interval of `resamples` resamples over trajectories, from
    /// `seed`) and σ for each factor.
    pub fn analyze(
        &self,
        y: &[f64],
        resamples: usize,
        seed: u64,
    ) -> Result<Vec<Effects>, SensitivityError> {
        let ee = self.elementary_effects(y)?;
        let r = self.trajectories as f64;
        Ok(ee
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let mu = e.iter().sum::<f64>() / r;
                let abs_mean = |rows: &[usize]| {
                    rows.iter().map(|&t| e[t].abs()).sum::<f64>() / rows.len() as f64
                };
                let all: Vec<usize> = (0..e.len()).collect();
                let mu_star =
                    bootstrap(abs_mean(&all), e.len(), resamples, seed, i as u64, abs_mean);
                let var = e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (r - 1.0);
                Effects {
                    mu,
                    mu_star,
                    sigma: var.sqrt(),
                }
            })
            .collect())
    }
}

/// The step of a grid of `levels` levels: levels / (2 (levels − 1)).
pub fn delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels - 1) as f64)
}

#[cfg(test)]
mod tests {
    use super::super::known::g_function;
    use super::*;

    #[test]
    fn every_trajectory_moves_each_factor_once_by_delta_on_the_grid() {
        let d = Design::new(5, 30, 4, 11).unwrap();
        assert_eq!(d.runs(), 30 * 6);
        let delta = delta(4);
        for t in 0..30 {
            let pts = &d.points[t * 6..t * 6 + 6];
            let mut moved = [0; 5];
            for w in pts.windows(2) {
                let changed: Vec<usize> = (0..5).filter(|&i| w[0][i] != w[1][i]).collect();
                assert_eq!(changed.len(), 1);
                let i = changed[0];
                assert!(((w[1][i] - w[0][i]).abs() - delta).abs() < 1e-12);
                moved[i] += 1;
            }
            assert_eq!(moved, [1; 5]);
            for p in pts {
                for &v in p {
                    assert!((0.0..=1.0).contains(&v));
                    let level = v * 3.0;
                    assert!((level - level.round()).abs() < 1e-9, "{v} is off the grid");
                }
            }
        }
        assert_eq!(
            d,
            Design::new(5, 30, 4, 11).unwrap(),
            "same seed, same design"
        );
        assert_ne!(d.points, Design::new(5, 30, 4, 12).unwrap().points);
    }

    /// A linear function's elementary effects are its coefficients, exactly: μ = c,
    /// μ* = |c|, σ = 0.
    #[test]
    fn a_linear_function_gives_its_coefficients() {
        let c = [3.0, -2.0, 0.0, 0.5];
        let d = Design::new(4, 20, 6, 3).unwrap();
        let y: Vec<f64> = d
            .points
            .iter()
            .map(|x| x.iter().zip(&c).map(|(a, b)| a * b).sum())
            .collect();
        let e = d.analyze(&y, 200, 1).unwrap();
        for (ei, ci) in e.iter().zip(c) {
            assert!((ei.mu - ci).abs() < 1e-9);
            assert!((ei.mu_star.value - ci.abs()).abs() < 1e-9);
            assert!(ei.sigma < 1e-9);
            assert!(ei.mu_star.low <= ei.mu_star.value && ei.mu_star.value <= ei.mu_star.high);
        }
    }

    /// On Sobol's G-function the screening ranks factors by their coefficient (a small
    /// coefficient is an important factor) and finds the unimportant ones near zero.
    #[test]
    fn the_g_function_is_screened_in_the_order_of_its_coefficients() {
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
        let d = Design::new(a.len(), 50, 4, 5).unwrap();
        let y: Vec<f64> = d.points.iter().map(|x| g_function(x, &a)).collect();
        let e = d.analyze(&y, 200, 2).unwrap();
        let m: Vec<f64> = e.iter().map(|x| x.mu_star.value).collect();
        assert!(
            m[0] > m[1] && m[1] > m[2] && m[2] > m[3] && m[3] > m[4],
            "{m:?}"
        );
        assert!(m[4] < 0.05 * m[0] && m[5] < 0.05 * m[0], "{m:?}");
    }

    #[test]
    fn bad_designs_and_outputs_are_refused() {
        assert_eq!(Design::new(0, 10, 4, 1), Err(SensitivityError::NoFactors));
        assert_eq!(
            Design::new(3, 10, 5, 1),
            Err(SensitivityError::OddLevels(5))
        );
        assert!(matches!(
            Design::new(3, 1, 4, 1),
            Err(SensitivityError::TooFew { .. })
        ));
        let d = Design::new(2, 4, 4, 1).unwrap();
        assert_eq!(
            d.analyze(&[0.0; 5], 10, 1),
            Err(SensitivityError::Outputs {
                expected: 12,
                got: 5
            })
        );
        let mut y = vec![1.0; 12];
        y[7] = f64::NAN;
        assert_eq!(d.analyze(&y, 10, 1), Err(SensitivityError::NotFinite(7)));
    }
}
